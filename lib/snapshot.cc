#include "procmatch/snapshot.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "procmatch/internal/crc32.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/record_io.h"
#include "procmatch/v1/snapshot.pb.h"
#include "procmatch/version.h"

namespace procmatch {
namespace {

constexpr char kMagic[8] = {'P', 'R', 'O', 'C', 'M', 'S', 'N', 'P'};
constexpr size_t kPrefix = sizeof(kMagic) + 4;  // Magic, format version.
constexpr size_t kTrailer = 4;                  // CRC-32.
constexpr size_t kTermsPerChunk = 4096;

void PutUint32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint32_t GetUint32(absl::string_view s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<uint32_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  }
  return v;
}

}  // namespace

std::string SaveSnapshot(const SupplierIndex& index) {
  const internal::IndexData& data = internal::IndexAccess::Data(index);
  std::string out(kMagic, sizeof(kMagic));
  PutUint32(kSnapshotFormatVersion, &out);
  // The canonical form: terms in byte order, whatever ids the index gave
  // them (ids follow the order suppliers were added in), so that the same
  // suppliers always give the same bytes.
  const std::vector<absl::string_view> terms = data.Vocabulary();
  std::vector<uint32_t> order(terms.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return terms[a] < terms[b]; });
  std::vector<absl::string_view> vocabulary(terms.size());
  std::vector<uint32_t> canonical_id(terms.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    vocabulary[i] = terms[order[i]];
    canonical_id[order[i]] = i;
  }

  v1::SnapshotHeader header;
  header.set_generation(index.generation());
  header.set_suppliers(index.size());
  header.set_terms(vocabulary.size());
  header.set_procmatch_version(kVersion);
  // Serialising a valid message into a string cannot fail.
  AppendRecord(header, RecordFormat::kBinaryDelimited, &out).IgnoreError();

  for (size_t start = 0; start < vocabulary.size(); start += kTermsPerChunk) {
    v1::SnapshotTerms chunk;
    for (size_t i = start; i < vocabulary.size() && i < start + kTermsPerChunk;
         ++i) {
      chunk.add_terms(std::string(vocabulary[i]));
    }
    AppendRecord(chunk, RecordFormat::kBinaryDelimited, &out).IgnoreError();
  }
  for (int d = 0; d < index.size(); ++d) {
    v1::SnapshotSupplier supplier;
    *supplier.mutable_profile() = index.profile(d);
    internal::TermCounts counts = data.doc(d).terms;
    for (auto& [term, count] : counts) term = canonical_id[term];
    std::sort(counts.begin(), counts.end());
    for (const auto& [term, count] : counts) {
      supplier.add_term_ids(term);
      supplier.add_term_frequencies(count);
    }
    AppendRecord(supplier, RecordFormat::kBinaryDelimited, &out).IgnoreError();
  }
  PutUint32(internal::Crc32(out), &out);
  return out;
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshot(
    absl::string_view bytes, const Options& options) {
  if (bytes.size() < sizeof(kMagic) ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError(
        "not a procmatch snapshot (no PROCMSNP magic number)");
  }
  if (bytes.size() < kPrefix + kTrailer) {
    return absl::DataLossError(absl::StrCat(
        "snapshot truncated: ", bytes.size(), " bytes is less than a header"));
  }
  // The checksum covers the version bytes too, so it is checked first: a
  // flipped bit anywhere, the version included, is reported as corruption.
  const uint32_t version = GetUint32(bytes.substr(sizeof(kMagic), 4));
  const absl::string_view body = bytes.substr(0, bytes.size() - kTrailer);
  const uint32_t stored = GetUint32(bytes.substr(bytes.size() - kTrailer));
  if (internal::Crc32(body) != stored) {
    if (version > kSnapshotFormatVersion) {
      return absl::DataLossError(absl::StrCat(
          "snapshot checksum mismatch: the file is corrupted, or written in "
          "format version ",
          version, " by a newer procmatch (this one, ", kVersion,
          ", reads format ", kSnapshotFormatVersion,
          "); rebuild it with `procmatch index`"));
    }
    return absl::DataLossError(
        "snapshot checksum mismatch: the file is truncated or corrupted");
  }
  if (version > kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "snapshot format version ", version, " is newer than this procmatch ",
        kVersion, " reads (", kSnapshotFormatVersion,
        "); rebuild the index or upgrade"));
  }
  if (version != kSnapshotFormatVersion) {
    return absl::DataLossError(
        absl::StrCat("snapshot format version ", version, " is unknown"));
  }

  // The checksum held: records are as written, but check their structure
  // anyway, so that a bug or a crafted file is an error, not a crash.
  // Protobuf would log some parse problems (invalid UTF-8 in a string) to
  // stderr itself; the status below reports them instead.
  google::protobuf::LogSilencer silence_protobuf;
  // Records are typed by position: the header, terms until the header's
  // count, then suppliers.
  bool have_header = false;
  v1::SnapshotHeader header;
  std::vector<std::string> vocabulary;
  std::vector<std::pair<v1::SupplierProfile, internal::TermCounts>> suppliers;
  absl::Status problem;
  auto fail = [&](int record, absl::string_view what) {
    if (problem.ok()) {
      problem = absl::DataLossError(
          absl::StrCat("snapshot record ", record, ": ", what));
    }
  };
  absl::Status stream = ForEachDelimitedRecord(
      "snapshot", body.substr(kPrefix),
      [&](int record, absl::string_view bytes) {
        if (!problem.ok()) return;
        const int size = static_cast<int>(bytes.size());
        if (!have_header) {
          have_header = header.ParseFromArray(bytes.data(), size);
          if (!have_header) fail(record, "bad header");
          return;
        }
        if (vocabulary.size() < header.terms()) {
          v1::SnapshotTerms chunk;
          if (!chunk.ParseFromArray(bytes.data(), size)) {
            return fail(record, "bad terms");
          }
          for (std::string& t : *chunk.mutable_terms()) {
            vocabulary.push_back(std::move(t));
          }
          return;
        }
        v1::SnapshotSupplier s;
        if (!s.ParseFromArray(bytes.data(), size)) {
          return fail(record, "bad supplier");
        }
        if (s.term_ids_size() != s.term_frequencies_size()) {
          return fail(record,
                      absl::StrCat("supplier \"", s.profile().id(),
                                   "\": term ids and frequencies differ"));
        }
        internal::TermCounts terms;
        terms.reserve(s.term_ids_size());
        for (int i = 0; i < s.term_ids_size(); ++i) {
          terms.emplace_back(s.term_ids(i), s.term_frequencies(i));
        }
        suppliers.emplace_back(std::move(*s.mutable_profile()),
                               std::move(terms));
      });
  if (!stream.ok()) return absl::DataLossError(stream.message());
  if (!problem.ok()) return problem;
  if (!have_header || vocabulary.size() != header.terms() ||
      suppliers.size() != header.suppliers()) {
    return absl::DataLossError(absl::StrCat(
        "snapshot incomplete: header announces ", header.suppliers(),
        " suppliers and ", header.terms(), " terms; found ", suppliers.size(),
        " and ", vocabulary.size()));
  }
  return internal::RestoreIndex(std::move(vocabulary), std::move(suppliers),
                                header.generation(), options);
}

}  // namespace procmatch
