// File: lib/internal/term_postings.cc
#include "procmatch/internal/term_postings.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "procmatch/internal/snapshot_layout.h"

namespace procmatch {
namespace internal {
namespace {

using google::protobuf::io::CodedOutputStream;

// Whether a frequency is coded in the two low bits of the gap's varint;
// 0 there says a varint of the frequency follows.
bool InGap(uint32_t frequency) { return frequency >= 1 && frequency <= 3; }

// A pair's first varint.
uint64_t GapAndFrequency(uint64_t gap, uint32_t frequency) {
  return (gap << 2) | (InGap(frequency) ? frequency : 0);
}

// The varint at *p, which must end before `end`, into *value; moves *p past
// it. Returns what is wrong with it (nullptr when nothing is): it does not
// end before `end`, or it holds more than 64 bits (a tenth byte above 1, or
// an eleventh byte), which the list's reader would silently cut.
const char* ReadVarintBefore(const uint8_t** p, const uint8_t* end,
                             uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; *p != end; shift += 7) {
    const uint8_t byte = *(*p)++;
    if (shift == 63 && byte > 1) return "a varint of more than 64 bits";
    v |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) {
      *value = v;
      return nullptr;
    }
  }
  return "a varint not terminated inside the list";
}

// The bytes of a section's starts and counts, padding included.
size_t SectionHead(size_t terms) {
  return 8 * (terms + 1) + SnapshotAligned(4 * terms);
}

// Every list's postings within `coded` (FromSection's checks after the
// starts' ends): OK, or DataLoss naming the first bad term and posting.
absl::Status CheckLists(const std::vector<uint64_t>& starts,
                        const std::vector<uint32_t>& sizes,
                        const uint8_t* coded, size_t coded_size,
                        uint64_t docs) {
  const size_t terms = sizes.size();
  for (size_t t = 0; t < terms; ++t) {
    auto fail = [&](uint32_t posting, const auto&... what) {
      return absl::DataLossError(
          absl::StrCat("term ", t, ": posting ", posting, ": ", what...));
    };
    if (starts[t + 1] < starts[t] || starts[t + 1] > coded_size) {
      return absl::DataLossError(absl::StrCat(
          "term ", t, ": the list [", starts[t], ", ", starts[t + 1],
          ") is not inside the postings' ", coded_size, " bytes"));
    }
    const uint8_t* p = coded + starts[t];
    const uint8_t* const end = coded + starts[t + 1];
    uint64_t doc = 0;
    for (uint32_t i = 0; i < sizes[t]; ++i) {
      if (p == end) {
        return fail(i, "past the end of the list (its count is ", sizes[t],
                    ")");
      }
      uint64_t gap_and_frequency, frequency;
      if (const char* bad = ReadVarintBefore(&p, end, &gap_and_frequency)) {
        return fail(i, bad);
      }
      frequency = gap_and_frequency & 3;
      if (frequency == 0) {
        if (const char* bad = ReadVarintBefore(&p, end, &frequency)) {
          return fail(i, bad);
        }
      }
      if (frequency == 0 || frequency > std::numeric_limits<uint32_t>::max()) {
        return fail(i, "frequency ", frequency, " is not in [1, 2^32)");
      }
      const uint64_t gap = gap_and_frequency >> 2;
      if (i > 0 && gap == 0) {
        return fail(i, "doc ", doc, " again: docs must ascend");
      }
      if (gap >= docs - doc) {
        return fail(i, "doc ", doc, " + ", gap, " is not below the ", docs,
                    " suppliers");
      }
      doc += gap;
    }
    if (p != end) {
      return absl::DataLossError(absl::StrCat("term ", t,
                                              ": the list holds more than its ",
                                              sizes[t], " postings"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void PostingsChangedSinceLoad() {
  // As a profile that no longer parses (ParseProfile, index_data.cc): no
  // answer read from these postings can be trusted.
  std::fputs(
      "procmatch: a term posting list read from the snapshot file no longer "
      "holds what was checked on load: the file this index was loaded from "
      "was changed in place while loaded (write snapshots by replacing the "
      "file, as `procmatch index --out` does)\n",
      stderr);
  std::abort();
}

uint64_t ReadLongerVarint(const uint8_t** p) {
  // Ten bytes at most (64 bits): a longer run, which no writer makes and
  // FromSection refuses, stops there rather than read on (and shift a
  // 64-bit value by more than 63); the reader's bounds checks then hold for
  // whatever it decoded.
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    const uint8_t byte = *(*p)++;
    v |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) break;
  }
  return v;
}

size_t GapAndFrequencyBytes(uint64_t gap, uint32_t frequency) {
  return CodedOutputStream::VarintSize64(GapAndFrequency(gap, frequency)) +
         (InGap(frequency) ? 0 : CodedOutputStream::VarintSize64(frequency));
}

uint8_t* WriteGapAndFrequency(uint64_t gap, uint32_t frequency, uint8_t* out) {
  out = CodedOutputStream::WriteVarint64ToArray(GapAndFrequency(gap, frequency),
                                                out);
  if (!InGap(frequency)) {
    out = CodedOutputStream::WriteVarint64ToArray(frequency, out);
  }
  return out;
}

TermPostingStore::TermPostingStore(size_t terms)
    : starts_(terms + 1, 0), sizes_(terms, 0), last_doc_(terms, 0) {}

void TermPostingStore::Count(uint32_t doc, uint32_t term, uint32_t frequency) {
  starts_[term + 1] += GapAndFrequencyBytes(doc - last_doc_[term], frequency);
  last_doc_[term] = doc;
  ++sizes_[term];
}

void TermPostingStore::Allocate() {
  // starts_[t + 1] becomes where term t begins: the next to write.
  uint64_t begin = 0;
  for (size_t t = 0; t + 1 < starts_.size(); ++t) {
    const uint64_t bytes = starts_[t + 1];
    starts_[t + 1] = begin;
    begin += bytes;
  }
  bytes_.resize(begin);
  coded_size_ = begin;
  std::fill(last_doc_.begin(), last_doc_.end(), 0);
}

void TermPostingStore::Write(uint32_t doc, uint32_t term, uint32_t frequency) {
  uint8_t* out = bytes_.data() + starts_[term + 1];
  out = WriteGapAndFrequency(doc - last_doc_[term], frequency, out);
  starts_[term + 1] = static_cast<uint64_t>(out - bytes_.data());
  last_doc_[term] = doc;
}

size_t TermPostingStore::SectionSize() const {
  return SectionHead(size()) + coded_size_;
}

void TermPostingStore::AppendSection(const std::vector<uint32_t>& order,
                                     std::string* out) const {
  const size_t head = out->size();
  uint64_t start = 0;
  PutUint64(start, out);
  for (uint32_t term : order) {
    start += starts_[term + 1] - starts_[term];
    PutUint64(start, out);
  }
  for (uint32_t term : order) PutUint32(sizes_[term], out);
  out->resize(head + SectionHead(order.size()), '\0');
  // Postings read from a mapped file are checked again before they are
  // written out: a file changed since the load must not come back as a new
  // snapshot under valid checksums (LoadSnapshot would refuse it later).
  if (file_ != nullptr &&
      !CheckLists(starts_, sizes_, mapped_, coded_size_, docs_).ok()) {
    PostingsChangedSinceLoad();
  }
  const char* coded = reinterpret_cast<const char*>(this->coded());
  for (uint32_t term : order) {
    out->append(coded + starts_[term], starts_[term + 1] - starts_[term]);
  }
}

absl::StatusOr<TermPostingStore> TermPostingStore::FromSection(
    absl::string_view section, size_t terms, uint64_t docs,
    std::shared_ptr<const void> file) {
  if (terms > section.size() / 12 || section.size() < SectionHead(terms)) {
    return absl::DataLossError(absl::StrCat(
        section.size(), " bytes cannot hold the lists of ", terms, " terms"));
  }
  TermPostingStore store;
  store.starts_.resize(terms + 1);
  store.sizes_.resize(terms);
  const char* counts = section.data() + 8 * (terms + 1);
  for (size_t t = 0; t <= terms; ++t) {
    store.starts_[t] = GetUint64(section.data() + 8 * t);
    if (t < terms) store.sizes_[t] = GetUint32(counts + 4 * t);
  }
  const absl::string_view coded = section.substr(SectionHead(terms));
  if (store.starts_[0] != 0 || store.starts_[terms] != coded.size()) {
    return absl::DataLossError(absl::StrCat(
        "the lists span [", store.starts_[0], ", ", store.starts_[terms],
        "), the postings hold ", coded.size(), " bytes"));
  }
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(coded.data());
  if (absl::Status lists =
          CheckLists(store.starts_, store.sizes_, bytes, coded.size(), docs);
      !lists.ok()) {
    return lists;
  }
  store.docs_ = docs;
  store.coded_size_ = coded.size();
  if (file != nullptr) {
    store.file_ = std::move(file);
    store.mapped_ = bytes;
  } else {
    store.bytes_.assign(bytes, bytes + coded.size());
  }
  return store;
}

void TermPostingStore::Finish() {
  // Term t ends where t + 1 begins now.
  last_doc_.clear();
  last_doc_.shrink_to_fit();
}

}  // namespace internal
}  // namespace procmatch
