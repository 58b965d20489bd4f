// Writes the seeds of the fuzz targets that read binary or text-format
// records, from the first records of data/sample (real Belgian suppliers and
// tenders), so the seeds follow the schema when it changes:
//
//   tools/fuzz.sh bazel run --config=fuzz //tests/fuzz:make_seeds -- \
//       $PWD/data/sample $PWD/tests/fuzz/corpus
//
// records_textproto/  one supplier and one tender (text format holds one
//                     message per file)
// records_binpb/      three suppliers, three tenders
// snapshot/           snapshots of one and of three suppliers (.snap: the
//                     repository ignores *.snapshot), of the three in
//                     format 3 (no CPV postings sections) and format 2 (no
//                     term postings section either), and of one whose
//                     coded blocks (issue 16) are far from the usual: 300
//                     contracts at the validated dates' edges, values from
//                     the least to the largest double, a long buyer name,
//                     and a long term list with frequencies past a byte
//
// The record seeds start with the byte that picks their record type
// (tests/fuzz/harness.h).
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "procmatch/internal/snapshot_layout.h"
#include "procmatch/record_io.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "tests/fuzz/harness.h"

namespace procmatch {
namespace {

template <typename M>
std::vector<M> ReadFirst(const std::string& path, int n) {
  std::vector<M> out;
  absl::StatusOr<std::string> content = ReadFileOrStdin(path);
  if (!content.ok()) return out;
  ReadRecords<M>(
      path, *content, RecordFormat::kJsonLines,
      [&](int, M m) {
        if (static_cast<int>(out.size()) < n) out.push_back(std::move(m));
      },
      [](absl::Status) {})
      .IgnoreError();
  return out;
}

bool Write(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary);
  file << bytes;
  std::cerr << path << ": " << bytes.size() << " bytes\n";
  return static_cast<bool>(file);
}

// With the record-stream targets' first byte, which picks the record type.
template <typename M>
bool WriteRecords(const std::vector<M>& records, int n, RecordFormat format,
                  const std::string& path) {
  std::string out(1, std::is_same_v<M, v1::Tender> ? fuzz::kTenderStream
                                                   : fuzz::kSupplierStream);
  for (int i = 0; i < n && i < static_cast<int>(records.size()); ++i) {
    if (!AppendRecord(records[i], format, &out).ok()) return false;
  }
  return Write(path, out);
}

// A format 4 snapshot as an older format stores it: its first `sections`
// sections (format 3: six, without the CPV postings; format 2: five,
// without the term postings too), the others left out and the first ones
// moved up by the table entries that go with them (doc/snapshot.md).
std::string AsFormat(const std::string& snapshot, uint32_t version,
                     size_t sections) {
  const size_t all =
      internal::GetUint32(snapshot.data() + internal::kSnapshotSectionCountAt);
  const size_t dropped = all - sections;
  const size_t table_end =
      internal::kSnapshotFixedHeader + internal::kSnapshotTableEntry * sections;
  const char* first_dropped = snapshot.data() + table_end;
  std::string out = snapshot.substr(0, table_end);
  out[internal::kSnapshotVersionAt] = static_cast<char>(version);
  out[internal::kSnapshotSectionCountAt] = static_cast<char>(sections);
  for (size_t k = 0; k < sections; ++k) {
    const size_t offset_at =
        internal::kSnapshotFixedHeader + internal::kSnapshotTableEntry * k + 8;
    std::string moved;
    internal::PutUint64(internal::GetUint64(out.data() + offset_at) -
                            internal::kSnapshotTableEntry * dropped,
                        &moved);
    out.replace(offset_at, 8, moved);
  }
  const size_t sections_begin =
      table_end + internal::kSnapshotTableEntry * dropped;
  out += snapshot.substr(
      sections_begin, internal::GetUint64(first_dropped + 8) - sections_begin);
  internal::ResealSnapshot(&out);
  return out;
}

// The snapshot of the first `n` suppliers, in format `version` (4, 3 or 2).
bool WriteSnapshot(const std::vector<v1::SupplierProfile>& suppliers, int n,
                   const std::string& path, uint32_t version = 4) {
  SupplierIndex::Builder builder;
  for (int i = 0; i < n && i < static_cast<int>(suppliers.size()); ++i) {
    if (!builder.Add(suppliers[i]).ok()) return false;
  }
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      std::move(builder).Build();
  if (!index.ok()) return false;
  const std::string bytes = SaveSnapshot(**index);
  return Write(path, version == 4   ? bytes
                     : version == 3 ? AsFormat(bytes, 3, 6)
                                    : AsFormat(bytes, 2, 5));
}

// `supplier` with what stretches its doc's coded contracts and term list:
// more contracts than a byte counts, dates on 1900-01-01 and 2200-12-31
// (the validated range) and around 2000-01-01 (the day the coding counts
// from), values of the least and the largest double, a buyer name of 3,000
// bytes, 400 distinct words (25 runs of 16 terms) and one word 300 times.
v1::SupplierProfile Stretched(v1::SupplierProfile supplier) {
  constexpr int kDates[][3] = {
      {1900, 1, 1}, {2200, 12, 31}, {2000, 1, 1}, {1999, 12, 31}};
  constexpr double kValues[] = {4.9406564584124654e-324, 1.7976931348623157e308,
                                0.1};
  for (int k = 0; k < 300; ++k) {
    v1::PastContract* c = supplier.add_past_contracts();
    c->add_cpv_codes(k % 2 == 0 ? "35613000" : "50640000");
    c->set_buyer_country("BE");
    if (k % 5 != 4) {
      c->mutable_award_date()->set_year(kDates[k % 4][0]);
      c->mutable_award_date()->set_month(kDates[k % 4][1]);
      c->mutable_award_date()->set_day(kDates[k % 4][2]);
    }
    if (k % 4 != 0) {
      c->mutable_value()->set_amount(kValues[k % 4 - 1]);
      c->mutable_value()->set_currency("EUR");
    }
  }
  supplier.mutable_past_contracts(1)->set_buyer_name(std::string(3000, 'B'));
  std::string words;
  for (int i = 0; i < 400; ++i) absl::StrAppend(&words, "w", i, "x ");
  for (int i = 0; i < 300; ++i) absl::StrAppend(&words, "drones ");
  supplier.set_description(words);
  return supplier;
}

int Main(const std::string& sample, const std::string& corpus) {
  const auto suppliers =
      ReadFirst<v1::SupplierProfile>(sample + "/suppliers.jsonl", 3);
  const auto tenders = ReadFirst<v1::Tender>(sample + "/tenders.jsonl", 3);
  if (suppliers.size() < 3 || tenders.size() < 3) {
    std::cerr << sample << ": fewer than 3 suppliers or tenders\n";
    return 1;
  }
  const std::string text = corpus + "/records_textproto/";
  const std::string binary = corpus + "/records_binpb/";
  const std::string snapshot = corpus + "/snapshot/";
  const bool ok =
      WriteRecords(suppliers, 1, RecordFormat::kTextFormat,
                   text + "supplier.textproto") &&
      WriteRecords(tenders, 1, RecordFormat::kTextFormat,
                   text + "tender.textproto") &&
      WriteRecords(suppliers, 3, RecordFormat::kBinaryDelimited,
                   binary + "suppliers.binpb") &&
      WriteRecords(tenders, 3, RecordFormat::kBinaryDelimited,
                   binary + "tenders.binpb") &&
      WriteSnapshot(suppliers, 1, snapshot + "one_supplier.snap") &&
      WriteSnapshot(suppliers, 3, snapshot + "three_suppliers.snap") &&
      WriteSnapshot(suppliers, 3, snapshot + "three_suppliers_format3.snap",
                    /*version=*/3) &&
      WriteSnapshot(suppliers, 3, snapshot + "three_suppliers_format2.snap",
                    /*version=*/2) &&
      WriteSnapshot({Stretched(suppliers[0])}, 1,
                    snapshot + "stretched_blocks.snap");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_seeds DATA_SAMPLE_DIR CORPUS_DIR\n";
    return 2;
  }
  return procmatch::Main(argv[1], argv[2]);
}
