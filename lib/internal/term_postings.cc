// File: lib/internal/term_postings.cc
#include "procmatch/internal/term_postings.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "google/protobuf/io/coded_stream.h"

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

}  // namespace

uint64_t ReadLongerVarint(const uint8_t** p) {
  uint64_t v = 0;
  int shift = 0;
  uint8_t byte;
  do {
    byte = *(*p)++;
    v |= uint64_t{byte & 0x7fu} << shift;
    shift += 7;
  } while (byte >= 0x80);
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
  std::fill(last_doc_.begin(), last_doc_.end(), 0);
}

void TermPostingStore::Write(uint32_t doc, uint32_t term, uint32_t frequency) {
  uint8_t* out = bytes_.data() + starts_[term + 1];
  out = WriteGapAndFrequency(doc - last_doc_[term], frequency, out);
  starts_[term + 1] = static_cast<uint64_t>(out - bytes_.data());
  last_doc_[term] = doc;
}

void TermPostingStore::Finish() {
  // Term t ends where t + 1 begins now.
  last_doc_.clear();
  last_doc_.shrink_to_fit();
}

}  // namespace internal
}  // namespace procmatch
