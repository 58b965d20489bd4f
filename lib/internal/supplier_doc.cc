// The compact storage of a supplier's analysed text and past contracts.
#include "procmatch/internal/supplier_doc.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace procmatch {
namespace internal {

TermList::TermList(const TermCounts& counts) {
  for (const auto& [term, frequency] : counts) {
    wide_ = wide_ || term >> (32 - kFrequencyBits) != 0 ||
            frequency > kFrequencyMask;
  }
  words_.reserve(wide_ ? 2 * counts.size() : counts.size());
  for (const auto& [term, frequency] : counts) {
    if (wide_) {
      words_.push_back(term);
      words_.push_back(frequency);
    } else {
      words_.push_back(term << kFrequencyBits | frequency);
    }
  }
}

uint32_t TermList::Frequency(uint32_t term) const {
  if (wide_) {
    size_t lo = 0, hi = size();
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (words_[2 * mid] < term) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < size() && words_[2 * lo] == term ? words_[2 * lo + 1] : 0;
  }
  // A packed word orders as its term id; ids from 2^24 on are in no word.
  if (term >> (32 - kFrequencyBits) != 0) return 0;
  const uint32_t key = term << kFrequencyBits;
  auto it = std::lower_bound(words_.begin(), words_.end(), key);
  return it != words_.end() && (*it >> kFrequencyBits) == term
             ? *it & kFrequencyMask
             : 0;
}

// The block's layout rests on these: the bcd() forms take as many bytes as
// the codes and need no more alignment; records are a multiple of their
// alignment, so the codes after them are aligned; nothing in the block is
// ever destroyed (it is freed as chars).
static_assert(sizeof(CpvCode) == sizeof(uint32_t) &&
              alignof(CpvCode) <= alignof(uint32_t));
static_assert(sizeof(ContractRecord) % alignof(ContractRecord) == 0 &&
              alignof(ContractRecord) >= alignof(uint32_t));
static_assert(std::is_trivially_destructible_v<ContractRecord> &&
              std::is_trivially_destructible_v<CpvCode>);

void ContractStore::Assign(const std::vector<Contract>& contracts) {
  size_t codes = 0, text = 0;
  for (const Contract& c : contracts) {
    codes += c.cpv.size();
    for (const std::string& t : c.texts) text += t.size();
  }
  block_.reset();
  size_ = contracts.size();
  if (contracts.empty()) return;
  // Records first: new char[] is aligned for any type, and the codes and
  // their bcd() forms (4-byte aligned) follow a multiple of 8 bytes.
  const size_t records_bytes = sizeof(ContractRecord) * contracts.size();
  const size_t codes_bytes = sizeof(CpvCode) * codes;
  block_.reset(new char[records_bytes + 2 * codes_bytes + text]);
  char* const records = block_.get();
  CpvCode* cpv = reinterpret_cast<CpvCode*>(records + records_bytes);
  uint32_t* bcd =
      reinterpret_cast<uint32_t*>(records + records_bytes + codes_bytes);
  char* chars = records + records_bytes + 2 * codes_bytes;
  for (size_t i = 0; i < contracts.size(); ++i) {
    const Contract& c = contracts[i];
    ContractRecord* r =
        new (records + i * sizeof(ContractRecord)) ContractRecord();
    r->cpv_count_ = static_cast<uint32_t>(c.cpv.size());
    if (!c.cpv.empty()) {
      // The first code's object, so that the views point at objects.
      r->cpv_ = new (cpv) CpvCode(c.cpv[0]);
      r->bcd_ = new (bcd) uint32_t(c.cpv[0].bcd());
      for (size_t k = 1; k < c.cpv.size(); ++k) {
        new (cpv + k) CpvCode(c.cpv[k]);
        new (bcd + k) uint32_t(c.cpv[k].bcd());
      }
      cpv += c.cpv.size();
      bcd += c.cpv.size();
    }
    r->has_date_ = c.has_date;
    r->date_ = c.date;
    r->value_ = c.value;
    r->text_ = chars;
    uint32_t end = 0;
    for (int f = 0; f < ContractRecord::kTextFields; ++f) {
      std::memcpy(chars + end, c.texts[f].data(), c.texts[f].size());
      end += static_cast<uint32_t>(c.texts[f].size());
      r->text_ends_[f] = end;
    }
    chars += end;
  }
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
  // new char[] is aligned for any type.
  block_.reset(new char[at.end]);
  char* const b = block_.get();
  for (int w = 0; w < kHeadWords; ++w) {
    new (b + w * sizeof(uint32_t)) uint32_t(head[w]);
  }
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
  if (block_ == nullptr) return 0;
  return std::launder(reinterpret_cast<const uint32_t*>(block_.get()))[w];
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
  // The most significant nibble is the first digit.
  uint32_t digits = 0;
  for (int shift = 28; shift >= 0; shift -= 4) {
    digits = digits * 10 + (bcd >> shift & 0xf);
  }
  return CpvCode::FromDigits(digits);
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

void SupplierParts::Assign(const Fields& f) {
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
  // new char[] is aligned for any type; every part is 4-byte aligned.
  block_.reset(new char[at.end]);
  char* const b = block_.get();
  for (int w = 0; w < kHeadWords; ++w) {
    new (b + w * sizeof(uint32_t)) uint32_t(head[w]);
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  for (size_t i = 0; i < f.concepts.size(); ++i) {
    new (b + at.weights + i * sizeof(float)) float(f.concepts[i].weight);
    new (b + at.ordinals + i * sizeof(uint16_t))
        uint16_t(static_cast<uint16_t>(cpv.Ordinal(f.concepts[i].code())));
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
}

uint32_t SupplierParts::Head(HeadWord w) const {
  if (block_ == nullptr) return 0;
  return std::launder(reinterpret_cast<const uint32_t*>(block_.get()))[w];
}

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

size_t ContractStore::AllocatedBytes() const {
  size_t bytes = 0;
  for (const ContractRecord& r : *this) {
    // As Assign laid it out: the record, its codes and their bcd() forms,
    // its texts.
    bytes += sizeof(ContractRecord) + r.cpv_count_ * (sizeof(CpvCode) + 4) +
             r.text_ends_[ContractRecord::kTextFields - 1];
  }
  return bytes;
}

const ContractRecord* ContractStore::begin() const {
  if (block_ == nullptr) return nullptr;
  return std::launder(reinterpret_cast<const ContractRecord*>(block_.get()));
}

}  // namespace internal
}  // namespace procmatch
