// The compact storage of a supplier's analysed text and past contracts.
#include "procmatch/internal/supplier_doc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"

namespace procmatch {
namespace internal {

namespace {

using google::protobuf::io::CodedOutputStream;

// The most bytes a varint of 64 bits takes.
constexpr size_t kMaxVarintBytes = 10;

void AppendVarint(uint64_t v, std::vector<uint8_t>* out) {
  uint8_t bytes[kMaxVarintBytes];
  out->insert(out->end(), bytes,
              CodedOutputStream::WriteVarint64ToArray(v, bytes));
}

void AppendBytes(const void* bytes, size_t size, std::vector<uint8_t>* out) {
  const uint8_t* b = static_cast<const uint8_t*>(bytes);
  out->insert(out->end(), b, b + size);
}

uint32_t ReadWord(const uint8_t* at) {
  uint32_t word;
  std::memcpy(&word, at, sizeof(word));
  return word;
}

// The block that holds `bytes`, none for none.
std::unique_ptr<uint8_t[]> BlockOf(const std::vector<uint8_t>& bytes) {
  if (bytes.empty()) return nullptr;
  std::unique_ptr<uint8_t[]> block(new uint8_t[bytes.size()]);
  std::memcpy(block.get(), bytes.data(), bytes.size());
  return block;
}

// RarelySetFields and SupplierParts keep one block each that begins with a
// head of 32-bit words (counts and byte lengths), from which the layout of
// the rest follows. A new block of `end` bytes into `*block`, its head
// written; returns its start.
template <size_t kWords>
char* NewBlockWithHead(const uint32_t (&head)[kWords], size_t end,
                       std::unique_ptr<char[]>* block) {
  // new char[] is aligned for any type.
  block->reset(new char[end]);
  char* const b = block->get();
  for (size_t w = 0; w < kWords; ++w) {
    new (b + w * sizeof(uint32_t)) uint32_t(head[w]);
  }
  return b;
}

// Head word `w` of such a block, 0 without one.
uint32_t HeadWordOf(const std::unique_ptr<char[]>& block, int w) {
  if (block == nullptr) return 0;
  return std::launder(reinterpret_cast<const uint32_t*>(block.get()))[w];
}

}  // namespace

TermList::TermList(const TermCounts& counts)
    : TermList(counts.size(), [&](size_t i) { return counts[i]; }) {}

uint8_t* TermList::NewBlock(size_t terms, size_t pair_bytes) {
  block_.reset(new uint8_t[CodedOutputStream::VarintSize64(terms) +
                           SkipBytes(terms) + pair_bytes]);
  return CodedOutputStream::WriteVarint64ToArray(terms, block_.get());
}

TermList::Layout TermList::LayoutOf() const {
  Layout at;
  at.skips = block_.get();
  at.terms = block_ == nullptr ? 0 : ReadVarint(&at.skips);
  const size_t runs = (at.terms + kRun - 1) / kRun;
  at.pairs = at.skips + (runs == 0 ? 0 : (runs - 1) * kSkipBytes);
  return at;
}

size_t TermList::size() const { return LayoutOf().terms; }

TermList::const_iterator TermList::begin() const {
  const Layout at = LayoutOf();
  return const_iterator(at.pairs, at.terms);
}

uint32_t TermList::Frequency(uint32_t term) const {
  if (block_ == nullptr) return 0;
  const Layout at = LayoutOf();
  // The last run whose id before it is below `term`: run r + 1's entry is
  // at skips + r * kSkipBytes.
  size_t lo = 0, hi = (at.terms - 1) / kRun;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo + 1) / 2;
    if (ReadWord(at.skips + (mid - 1) * kSkipBytes) < term) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  uint32_t id = 0;
  const uint8_t* p = at.pairs;
  if (lo > 0) {
    const uint8_t* skip = at.skips + (lo - 1) * kSkipBytes;
    id = ReadWord(skip);
    p += ReadWord(skip + sizeof(uint32_t));
  }
  for (size_t left = std::min(kRun, at.terms - lo * kRun); left > 0; --left) {
    uint32_t frequency;
    id += static_cast<uint32_t>(ReadGapAndFrequency(&p, &frequency));
    if (id >= term) return id == term ? frequency : 0;
  }
  return 0;
}

void TermList::Frequencies(absl::Span<const uint32_t> terms,
                           absl::Span<uint32_t> frequencies) const {
  const Layout at = LayoutOf();
  const size_t runs = (at.terms + kRun - 1) / kRun;
  size_t run = 0;                          // The run `p` is in.
  size_t left = std::min(kRun, at.terms);  // Its pairs from `p` on.
  const uint8_t* p = at.pairs;
  uint32_t id = 0;         // The last pair decoded; 0 before the first.
  uint32_t frequency = 0;  // Its frequency; 0 when none is decoded.
  for (size_t i = 0; i < terms.size(); ++i) {
    const uint32_t term = terms[i];
    // Run r + 1's skip entry, at skips + r * kSkipBytes, holds run r's last
    // id: a run ending below `term` cannot have it.
    while (run + 1 < runs && ReadWord(at.skips + run * kSkipBytes) < term) {
      const uint8_t* skip = at.skips + run * kSkipBytes;
      ++run;
      id = ReadWord(skip);
      frequency = 0;
      p = at.pairs + ReadWord(skip + sizeof(uint32_t));
      left = std::min(kRun, at.terms - run * kRun);
    }
    while ((frequency == 0 || id < term) && left > 0) {
      id += static_cast<uint32_t>(ReadGapAndFrequency(&p, &frequency));
      --left;
    }
    frequencies[i] = frequency != 0 && id == term ? frequency : 0;
  }
}

size_t TermList::AllocatedBytes() const {
  if (block_ == nullptr) return 0;
  const Layout at = LayoutOf();
  const uint8_t* p = at.pairs;
  for (size_t i = 0; i < at.terms; ++i) {
    uint32_t frequency;
    ReadGapAndFrequency(&p, &frequency);
  }
  return static_cast<size_t>(p - block_.get());
}

// A contract's flags: bit 0 and 1, then one bit a text.
constexpr uint8_t kHasDate = 1, kHasValue = 2, kFirstTextBit = 2;
static_assert(kFirstTextBit + ContractRecord::kTextFields <= 8,
              "a contract's flags fit a byte");

// The nearer the epoch, the fewer bytes a date takes; made once, since
// making a CivilDay normalises it.
absl::CivilDay ContractEpoch() {
  static const absl::CivilDay kEpoch(2000, 1, 1);
  return kEpoch;
}

void ContractStore::Assign(const std::vector<Contract>& contracts) {
  // Written into one buffer a thread reuses, then copied into the block:
  // growing a vector a supplier was a tenth of AnalyzeProfile (issue 16).
  thread_local std::vector<uint8_t> bytes;
  bytes.clear();
  if (!contracts.empty()) AppendVarint(contracts.size(), &bytes);
  for (const Contract& c : contracts) {
    uint8_t flags = c.has_date ? kHasDate : 0;
    // Any value but +0.0, so that every value reads back bit for bit.
    const bool has_value = !(c.value == 0 && !std::signbit(c.value));
    if (has_value) flags |= kHasValue;
    for (int f = 0; f < ContractRecord::kTextFields; ++f) {
      if (!c.texts[f].empty()) flags |= 1u << (kFirstTextBit + f);
    }
    bytes.push_back(flags);
    if (c.has_date) {
      const int64_t days = c.date - ContractEpoch();
      // Zigzag: small magnitudes, either sign, in few bytes.
      AppendVarint((static_cast<uint64_t>(days) << 1) ^
                       static_cast<uint64_t>(days >> 63),
                   &bytes);
    }
    if (has_value) AppendBytes(&c.value, sizeof(c.value), &bytes);
    AppendVarint(c.cpv.size(), &bytes);
    for (CpvCode code : c.cpv) {
      const uint32_t bcd = code.bcd();
      AppendBytes(&bcd, sizeof(bcd), &bytes);
    }
    for (absl::string_view text : c.texts) {
      if (text.empty()) continue;
      AppendVarint(text.size(), &bytes);
      AppendBytes(text.data(), text.size(), &bytes);
    }
  }
  block_ = BlockOf(bytes);
  // A hostile profile's contracts are not held on to.
  constexpr size_t kKeptBytes = 1 << 20;
  if (bytes.capacity() > kKeptBytes) std::vector<uint8_t>().swap(bytes);
}

absl::CivilDay ContractRecord::date() const { return ContractEpoch() + days_; }

const uint8_t* ContractStore::Decode(const uint8_t* at, ContractRecord* r) {
  const uint8_t flags = *at++;
  r->has_date_ = (flags & kHasDate) != 0;
  r->days_ = 0;
  if (r->has_date_) {
    const uint64_t zigzag = ReadVarint(&at);
    r->days_ =
        static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
  }
  r->value_ = 0;
  if ((flags & kHasValue) != 0) {
    std::memcpy(&r->value_, at, sizeof(r->value_));
    at += sizeof(r->value_);
  }
  r->bcd_.size_ = ReadVarint(&at);
  r->bcd_.bytes_ = at;
  at += sizeof(uint32_t) * r->bcd_.size_;
  for (int f = 0; f < ContractRecord::kTextFields; ++f) {
    if ((flags & 1u << (kFirstTextBit + f)) == 0) {
      r->texts_[f] = absl::string_view();
      continue;
    }
    const size_t size = ReadVarint(&at);
    r->texts_[f] = absl::string_view(reinterpret_cast<const char*>(at), size);
    at += size;
  }
  return at;
}

ContractStore::const_iterator ContractStore::begin() const {
  if (block_ == nullptr) return end();
  const uint8_t* at = block_.get();
  const size_t records = ReadVarint(&at);
  return const_iterator(at, records);
}

size_t ContractStore::size() const {
  if (block_ == nullptr) return 0;
  const uint8_t* at = block_.get();
  return ReadVarint(&at);
}

size_t ContractStore::AllocatedBytes() const {
  if (block_ == nullptr) return 0;
  const uint8_t* at = block_.get();
  ContractRecord record;
  for (size_t left = ReadVarint(&at); left > 0; --left) {
    at = Decode(at, &record);
  }
  return static_cast<size_t>(at - block_.get());
}

void CapabilityLevels::Assign(const std::vector<Capability>& levels) {
  words_.reset();
  if (levels.empty()) return;
  size_t words = 0;
  for (const Capability& c : levels) words += 3 + c.cpv.size() + c.tags.size();
  words_.reset(new uint32_t[1 + words]);
  uint32_t* out = words_.get();
  *out++ = static_cast<uint32_t>(words);
  for (const Capability& c : levels) {
    *out++ = static_cast<uint32_t>(c.trl);
    *out++ = static_cast<uint32_t>(c.cpv.size());
    *out++ = static_cast<uint32_t>(c.tags.size());
    for (CpvCode code : c.cpv) *out++ = code.digits();
    out = std::copy(c.tags.begin(), c.tags.end(), out);
  }
}

// RarelySetFields' block rests on these: its head (six uint32 words) and
// each array keep the next one aligned, and nothing in it is ever destroyed.
static_assert(alignof(DatedLevel) <= 8 && sizeof(DatedLevel) % 8 == 0 &&
              alignof(absl::CivilDay) <= 8 && sizeof(absl::CivilDay) % 8 == 0 &&
              alignof(std::pair<int, int>) <= alignof(uint32_t) &&
              sizeof(std::pair<int, int>) % alignof(uint32_t) == 0);
static_assert(std::is_trivially_destructible_v<DatedLevel> &&
              std::is_trivially_destructible_v<absl::CivilDay> &&
              std::is_trivially_destructible_v<std::pair<int, int>>);

void RarelySetFields::Assign(const Fields& f) {
  block_.reset();
  std::vector<absl::string_view> texts = f.alternative_names;
  for (const Certificate& c : f.certificates) {
    texts.push_back(c.scheme_key);
    texts.push_back(c.scheme);
  }
  texts.insert(texts.end(), f.languages.begin(), f.languages.end());
  if (texts.empty() && f.facility_clearances.empty() &&
      f.cleared_staff.empty()) {
    return;
  }
  size_t chars = 0;
  for (absl::string_view t : texts) chars += t.size();
  const uint32_t head[kHeadWords] = {
      static_cast<uint32_t>(f.alternative_names.size()),
      static_cast<uint32_t>(f.facility_clearances.size()),
      static_cast<uint32_t>(f.cleared_staff.size()),
      static_cast<uint32_t>(f.certificates.size()),
      static_cast<uint32_t>(f.languages.size()),
      static_cast<uint32_t>(chars)};
  const Layout at = LayoutOf(head);
  char* const b = NewBlockWithHead(head, at.end, &block_);
  for (size_t i = 0; i < f.facility_clearances.size(); ++i) {
    new (b + at.clearances + i * sizeof(DatedLevel))
        DatedLevel(f.facility_clearances[i]);
  }
  for (size_t i = 0; i < f.certificates.size(); ++i) {
    new (b + at.until + i * sizeof(absl::CivilDay))
        absl::CivilDay(f.certificates[i].until);
  }
  for (size_t i = 0; i < f.cleared_staff.size(); ++i) {
    new (b + at.staff + i * sizeof(std::pair<int, int>))
        std::pair<int, int>(f.cleared_staff[i]);
  }
  uint32_t end = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::memcpy(b + at.chars + end, texts[i].data(), texts[i].size());
    end += static_cast<uint32_t>(texts[i].size());
    new (b + at.text_ends + i * sizeof(uint32_t)) uint32_t(end);
  }
}

uint32_t RarelySetFields::Head(HeadWord w) const {
  return HeadWordOf(block_, w);
}

RarelySetFields::Layout RarelySetFields::LayoutOf(
    const uint32_t (&head)[kHeadWords]) {
  const size_t texts =
      head[kAlternativeNames] + 2 * head[kCertificates] + head[kLanguages];
  Layout at;
  at.clearances = kHeadWords * sizeof(uint32_t);
  at.until = at.clearances + sizeof(DatedLevel) * head[kClearances];
  at.staff = at.until + sizeof(absl::CivilDay) * head[kCertificates];
  at.text_ends = at.staff + sizeof(std::pair<int, int>) * head[kClearedStaff];
  at.chars = at.text_ends + sizeof(uint32_t) * texts;
  at.end = at.chars + head[kTextBytes];
  return at;
}

RarelySetFields::Layout RarelySetFields::LayoutOf() const {
  uint32_t head[kHeadWords];
  for (int w = 0; w < kHeadWords; ++w) head[w] = Head(HeadWord(w));
  return LayoutOf(head);
}

absl::Span<const DatedLevel> RarelySetFields::facility_clearances() const {
  if (block_ == nullptr) return {};
  return {std::launder(reinterpret_cast<const DatedLevel*>(
              block_.get() + LayoutOf().clearances)),
          Head(kClearances)};
}

absl::Span<const std::pair<int, int>> RarelySetFields::cleared_staff() const {
  if (block_ == nullptr) return {};
  return {std::launder(reinterpret_cast<const std::pair<int, int>*>(
              block_.get() + LayoutOf().staff)),
          Head(kClearedStaff)};
}

RarelySetFields::Texts RarelySetFields::TextsOf(HeadWord count) const {
  Texts texts;
  if (block_ == nullptr) return texts;
  const Layout at = LayoutOf();
  texts.ends_ = std::launder(
      reinterpret_cast<const uint32_t*>(block_.get() + at.text_ends));
  texts.chars_ = block_.get() + at.chars;
  // The names first, then each certificate's two texts, the languages.
  texts.first_ = count == kAlternativeNames ? 0
                 : count == kCertificates
                     ? Head(kAlternativeNames)
                     : Head(kAlternativeNames) + 2 * Head(kCertificates);
  texts.size_ = count == kCertificates ? 2 * Head(count) : Head(count);
  return texts;
}

RarelySetFields::Certificates RarelySetFields::certificates() const {
  Certificates certificates;
  if (block_ == nullptr) return certificates;
  certificates.texts_ = TextsOf(kCertificates);
  certificates.until_ = {std::launder(reinterpret_cast<const absl::CivilDay*>(
                             block_.get() + LayoutOf().until)),
                         Head(kCertificates)};
  return certificates;
}

size_t RarelySetFields::AllocatedBytes() const {
  return block_ == nullptr ? 0 : LayoutOf().end;
}

// SupplierParts' block rests on these: every array but the ordinals and
// the characters, which come last, keeps the next one 4-byte aligned.
static_assert(sizeof(float) == sizeof(uint32_t) &&
              alignof(float) <= alignof(uint32_t));

CpvCode CpvOfBcd(uint32_t bcd) {
  // The most significant nibble is the first digit. Pairs of nibbles, then
  // of bytes, then of halves, each lane at once: the high one times 10, 100,
  // 10000 plus the low one (no lane overflows, even for nibbles above 9).
  // A loop over the nibbles was 3% of a snapshot load (issue 16).
  uint32_t x = (bcd & 0x0F0F0F0Fu) + ((bcd >> 4) & 0x0F0F0F0Fu) * 10;
  x = (x & 0x00FF00FFu) + ((x >> 8) & 0x00FF00FFu) * 100;
  return CpvCode::FromDigits((x & 0xFFFFu) + (x >> 16) * 10000);
}

CpvCode ConceptRef::code() const { return CpvOfBcd(bcd); }

ConceptRef ConceptRef::OfOrdinal(uint16_t ordinal, float weight) {
  // The builtin codes' BCD forms by ordinal: 38 KB, made once.
  static const std::vector<uint32_t>* const kBcd = [] {
    const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
    // The taxonomy is compiled in and tested: outgrowing 16 bits is a build
    // defect, not an input error.
    if (cpv.size() > std::numeric_limits<uint16_t>::max() + 1) {
      std::fputs(
          "procmatch: the builtin CPV taxonomy has more codes than "
          "16-bit concept ordinals number\n",
          stderr);
      std::abort();
    }
    auto* bcd = new std::vector<uint32_t>(cpv.size());
    for (int i = 0; i < cpv.size(); ++i) (*bcd)[i] = cpv.CodeAt(i).bcd();
    return bcd;
  }();
  return ConceptRef((*kBcd)[ordinal], weight);
}

absl::Status SupplierParts::Assign(const Fields& f) {
  size_t tag_bytes = 0;
  for (const std::string& t : f.tags) tag_bytes += t.size();
  const uint32_t head[kHeadWords] = {
      static_cast<uint32_t>(f.id.size()),
      static_cast<uint32_t>(f.name.size()),
      static_cast<uint32_t>(f.offered_bcd.size()),
      static_cast<uint32_t>(f.concepts.size()),
      static_cast<uint32_t>(f.tags.size()),
      static_cast<uint32_t>(tag_bytes)};
  const Layout at = LayoutOf(head);
  // Every part is 4-byte aligned.
  char* const b = NewBlockWithHead(head, at.end, &block_);
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  for (size_t i = 0; i < f.concepts.size(); ++i) {
    new (b + at.weights + i * sizeof(float)) float(f.concepts[i].weight);
    if (!f.concept_ordinals.empty()) {
      new (b + at.ordinals + i * sizeof(uint16_t))
          uint16_t(f.concept_ordinals[i]);
      continue;
    }
    const CpvCode code = f.concepts[i].code();
    const int ordinal = cpv.Ordinal(code);
    if (ordinal < 0) {
      block_.reset();
      return absl::InternalError(
          absl::StrCat("concept ", code.ToString(),
                       " is not a code of the builtin CPV taxonomy"));
    }
    new (b + at.ordinals + i * sizeof(uint16_t))
        uint16_t(static_cast<uint16_t>(ordinal));
  }
  for (size_t i = 0; i < f.offered_bcd.size(); ++i) {
    new (b + at.offered + i * sizeof(uint32_t)) uint32_t(f.offered_bcd[i]);
  }
  char* chars = b + at.chars;
  chars = std::copy(f.id.begin(), f.id.end(), chars);
  chars = std::copy(f.name.begin(), f.name.end(), chars);
  uint32_t end = 0;
  for (size_t i = 0; i < f.tags.size(); ++i) {
    chars = std::copy(f.tags[i].begin(), f.tags[i].end(), chars);
    end += static_cast<uint32_t>(f.tags[i].size());
    new (b + at.tag_ends + i * sizeof(uint32_t)) uint32_t(end);
  }
  return absl::OkStatus();
}

uint32_t SupplierParts::Head(HeadWord w) const { return HeadWordOf(block_, w); }

SupplierParts::Layout SupplierParts::LayoutOf(
    const uint32_t (&head)[kHeadWords]) {
  Layout at;
  at.weights = kHeadWords * sizeof(uint32_t);
  at.offered = at.weights + sizeof(float) * head[kConcepts];
  at.tag_ends = at.offered + sizeof(uint32_t) * head[kOfferedCodes];
  at.ordinals = at.tag_ends + sizeof(uint32_t) * head[kTags];
  at.chars = at.ordinals + sizeof(uint16_t) * head[kConcepts];
  at.end = at.chars + head[kIdBytes] + head[kNameBytes] + head[kTagBytes];
  return at;
}

SupplierParts::Layout SupplierParts::LayoutOf() const {
  uint32_t head[kHeadWords];
  for (int w = 0; w < kHeadWords; ++w) head[w] = Head(HeadWord(w));
  return LayoutOf(head);
}

absl::string_view SupplierParts::Chars(size_t begin, size_t size) const {
  if (block_ == nullptr) return absl::string_view();
  return absl::string_view(block_.get() + LayoutOf().chars + begin, size);
}

absl::Span<const uint32_t> SupplierParts::offered_bcd() const {
  if (block_ == nullptr) return {};
  return {std::launder(reinterpret_cast<const uint32_t*>(block_.get() +
                                                         LayoutOf().offered)),
          Head(kOfferedCodes)};
}

ConceptList SupplierParts::concepts() const {
  ConceptList concepts;
  if (block_ == nullptr) return concepts;
  const Layout at = LayoutOf();
  concepts.weights_ =
      std::launder(reinterpret_cast<const float*>(block_.get() + at.weights));
  concepts.ordinals_ = std::launder(
      reinterpret_cast<const uint16_t*>(block_.get() + at.ordinals));
  concepts.size_ = Head(kConcepts);
  return concepts;
}

RarelySetFields::Texts SupplierParts::tags() const {
  RarelySetFields::Texts tags;
  if (block_ == nullptr) return tags;
  const Layout at = LayoutOf();
  tags.ends_ = std::launder(
      reinterpret_cast<const uint32_t*>(block_.get() + at.tag_ends));
  // The tags' characters follow the id's and the name's.
  tags.chars_ = block_.get() + at.chars + Head(kIdBytes) + Head(kNameBytes);
  tags.size_ = Head(kTags);
  return tags;
}

bool SupplierParts::HasTag(absl::string_view folded_tag) const {
  const RarelySetFields::Texts all = tags();
  size_t lo = 0, hi = all.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (all[mid] < folded_tag) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < all.size() && all[lo] == folded_tag;
}

size_t SupplierParts::AllocatedBytes() const {
  return block_ == nullptr ? 0 : LayoutOf().end;
}

}  // namespace internal
}  // namespace procmatch
