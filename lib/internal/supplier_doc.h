// File: lib/internal/supplier_doc.h
//
// INTERNAL. The analysed form of one supplier profile: what eligibility
// rules and scoring read, computed once when the profile enters an index and
// shared, immutable, between index generations.
#ifndef PROCMATCH_LIB_INTERNAL_SUPPLIER_DOC_H_
#define PROCMATCH_LIB_INTERNAL_SUPPLIER_DOC_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "procmatch/cpv.h"
#include "procmatch/internal/term_postings.h"
#include "procmatch/nuts.h"
#include "procmatch/v1/supplier.pb.h"

namespace procmatch {
namespace internal {

// Stands for "no expiry stated".
inline absl::CivilDay NoExpiry() { return absl::CivilDay(9999, 12, 31); }

struct DatedLevel {
  int level;             // v1::ClearanceLevel.
  absl::CivilDay until;  // NoExpiry() when not stated.
};

// A certificate, as views into the block of its doc's RarelySetFields
// (valid as long as the doc).
struct Certificate {
  absl::string_view scheme_key;  // NormalizeScheme().
  absl::string_view scheme;      // As written, for explanations.
  absl::CivilDay until;
};

// The inverse of CpvCode::bcd(): the code of a packed BCD form.
CpvCode CpvOfBcd(uint32_t bcd);

// Iterates positions 0 to size() - 1 of a view whose operator[] returns by
// value; it keeps a copy of the view (a few pointers).
template <typename View>
class ViewIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = decltype(std::declval<const View&>()[0]);
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = value_type;

  ViewIterator(View view, size_t i) : view_(view), i_(i) {}
  value_type operator*() const { return view_[i_]; }
  ViewIterator& operator++() {
    ++i_;
    return *this;
  }
  bool operator==(const ViewIterator& o) const { return i_ == o.i_; }
  bool operator!=(const ViewIterator& o) const { return i_ != o.i_; }

 private:
  View view_;
  size_t i_;
};

// The CpvCode::bcd() forms of a past contract's codes, as they lie in its
// ContractStore's block (4 bytes each, unaligned): a view, valid as long as
// the store.
class ContractBcdCodes {
 public:
  using const_iterator = ViewIterator<ContractBcdCodes>;
  uint32_t operator[](size_t i) const {
    uint32_t bcd;
    std::memcpy(&bcd, bytes_ + 4 * i, sizeof(bcd));
    return bcd;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(*this, 0); }
  const_iterator end() const { return const_iterator(*this, size_); }

 private:
  friend class ContractStore;
  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
};

// A past contract's codes, decoded from their BCD forms as they are read.
class ContractCodes {
 public:
  using const_iterator = ViewIterator<ContractCodes>;
  explicit ContractCodes(ContractBcdCodes bcd) : bcd_(bcd) {}
  CpvCode operator[](size_t i) const { return CpvOfBcd(bcd_[i]); }
  size_t size() const { return bcd_.size(); }
  bool empty() const { return bcd_.empty(); }
  const_iterator begin() const { return const_iterator(*this, 0); }
  const_iterator end() const { return const_iterator(*this, size()); }

 private:
  ContractBcdCodes bcd_;
};

// The day contract dates are counted from: ContractRecord::days().
absl::CivilDay ContractEpoch();

// One past contract, as scoring and rules read it: decoded from its
// ContractStore's block as the store is iterated. It owns nothing: its codes
// and texts are views into that block, valid as long as the store.
class ContractRecord {
 public:
  ContractCodes cpv() const { return ContractCodes(bcd_); }
  // cpv()[i].bcd(), for scoring.
  ContractBcdCodes cpv_bcd() const { return bcd_; }
  bool has_date() const { return has_date_; }
  // When has_date(). Made from the coded day number when asked for: the
  // records are decoded far more often than their dates are read, and
  // normalising a day was most of decoding one (issue 16).
  absl::CivilDay date() const;
  // When has_date(): date() - ContractEpoch(), without making the date.
  int64_t days() const { return days_; }
  // The contract's value, 0 when not stated.
  double value() const { return value_; }
  // The currency of value(), "" when no value is stated.
  absl::string_view value_currency() const { return texts_[kValueCurrency]; }
  // FoldText of the buyer name.
  absl::string_view buyer_key() const { return texts_[kBuyerKey]; }
  absl::string_view buyer_country() const { return texts_[kBuyerCountry]; }
  // As written, for explanations.
  absl::string_view buyer_name() const { return texts_[kBuyerName]; }
  // The award notice it came from, or "".
  absl::string_view source_notice_id() const { return texts_[kSourceNoticeId]; }
  // BuyerActivityKey() of the buyer's country and main activity, or "".
  absl::string_view activity_key() const { return texts_[kActivityKey]; }

  // The texts, in the order they are coded in the block.
  enum TextField {
    kBuyerKey,
    kBuyerCountry,
    kBuyerName,
    kSourceNoticeId,
    kActivityKey,
    kValueCurrency,
    kTextFields
  };

 private:
  friend class ContractStore;

  ContractBcdCodes bcd_;
  bool has_date_ = false;
  int64_t days_ = 0;  // date() - ContractEpoch(), 0 without a date.
  double value_ = 0;
  absl::string_view texts_[kTextFields];
};

// A supplier's past contracts, coded one after the other in one block of
// bytes (8 bytes in the doc, one allocation per supplier, none without
// contracts) and decoded into ContractRecords as they are iterated: 80-byte
// records with pointers, a day and a value each, and six text ends, took
// 192 bytes a supplier at 100k generated suppliers (issue 16).
//
// The block: a varint of the number of contracts, then each contract: a
// byte of flags (bit 0: a date, bit 1: a value, bit 2 + f: text f is not
// empty), the date (when flagged) as a zigzag varint of days from
// 2000-01-01, the value (when flagged) as 8 bytes, a varint of the number of
// codes and each code's BCD form in 4 bytes, then each text that is not empty
// as a varint of its length and its bytes. Not changed once assigned, so that
// the records' views stay valid; not copyable.
class ContractStore {
 public:
  // What one record is made of; the views need only last until Assign
  // returns.
  struct Contract {
    absl::Span<const CpvCode> cpv;
    bool has_date = false;
    absl::CivilDay date;
    double value = 0;
    // In ContractRecord::TextField order.
    absl::string_view texts[ContractRecord::kTextFields];
  };

  // Iterates the records in the order assigned; a record read stays valid
  // until the iterator moves on (its views, as long as the store).
  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = ContractRecord;
    using difference_type = std::ptrdiff_t;
    using pointer = const ContractRecord*;
    using reference = const ContractRecord&;

    const ContractRecord& operator*() const { return record_; }
    const ContractRecord* operator->() const { return &record_; }
    const_iterator& operator++() {
      if (--left_ > 0) next_ = Decode(next_, &record_);
      return *this;
    }
    bool operator==(const const_iterator& o) const { return left_ == o.left_; }
    bool operator!=(const const_iterator& o) const { return left_ != o.left_; }

   private:
    friend class ContractStore;
    const_iterator() = default;
    // The `left` records coded from `next` on.
    const_iterator(const uint8_t* next, size_t left) : left_(left) {
      if (left_ > 0) next_ = Decode(next, &record_);
    }

    ContractRecord record_;
    const uint8_t* next_ = nullptr;  // The record after record_.
    size_t left_ = 0;                // Records from record_ on.
  };

  ContractStore() = default;
  ContractStore(const ContractStore&) = delete;
  ContractStore& operator=(const ContractStore&) = delete;

  // Replaces the records with `contracts`, in order.
  void Assign(const std::vector<Contract>& contracts);

  const_iterator begin() const;
  const_iterator end() const { return const_iterator(); }
  size_t size() const;
  bool empty() const { return block_ == nullptr; }
  // The size of its block, 0 without contracts (memory accounting).
  size_t AllocatedBytes() const;
  // Where its block begins (null without contracts), for a prefetch.
  const void* block() const { return block_.get(); }

 private:
  // Decodes the record coded at `at` into *record; returns where the next
  // begins.
  static const uint8_t* Decode(const uint8_t* at, ContractRecord* record);

  std::unique_ptr<uint8_t[]> block_;
};

// The key buyer affinity compares a buyer's country and main activity by:
// "BE/defence"; "" when either is unknown.
std::string BuyerActivityKey(absl::string_view country,
                             absl::string_view activity);

// A profile's binary serialisation, immutable: bytes it owns (a profile
// added to a built index) or bytes in a store it keeps alive (the profiles of
// a snapshot, mapped or copied in one block: lib/snapshot.cc), so that a
// loaded index does not copy each profile to the heap. Copies share the
// bytes.
class ProfileBytes {
 public:
  ProfileBytes() = default;
  // Owns `bytes`.
  explicit ProfileBytes(std::string bytes);
  // `bytes` lie in `store`, which is kept as long as this or a copy lives.
  ProfileBytes(absl::string_view bytes, std::shared_ptr<const void> store)
      : store_(std::move(store)), bytes_(bytes) {}

  absl::string_view view() const { return bytes_; }

 private:
  std::shared_ptr<const void> store_;
  absl::string_view bytes_;
};

// A country (ISO 3166-1 alpha-2) or a currency (ISO 4217) as validation
// lets it through, or none (""), held inline in 4 bytes: a std::string
// takes 32 for two or three letters.
class IsoCode {
 public:
  static constexpr size_t kMaxSize = 3;

  IsoCode() = default;
  // REQUIRES: code.size() <= kMaxSize (a longer code is cut to kMaxSize
  // bytes rather than read past; index_data.cc's SetIsoCode refuses one
  // first).
  explicit IsoCode(absl::string_view code)
      : size_(static_cast<uint8_t>(code.copy(chars_, kMaxSize))) {}

  absl::string_view view() const { return absl::string_view(chars_, size_); }
  bool empty() const { return size_ == 0; }

 private:
  char chars_[kMaxSize] = {};
  uint8_t size_ = 0;
};

// (term id, frequency), by term id: a supplier's analysed text.
using TermCounts = std::vector<std::pair<uint32_t, uint32_t>>;

// A supplier's analysed text, as TermCounts, in one block of bytes (8
// bytes in the doc, none for no terms): each term's id coded as the gap from
// the previous term's (from 0 for the first) with its frequency, as term
// postings code docs (term_postings.h), about 2.2 bytes a term at 100k
// generated suppliers against 4 in a word a term (issue 16). Scoring reads
// the frequency of a query term: the list is cut into runs of kRun terms,
// and a skip entry for each run after the first (the id before it and
// where it begins) lets Frequency decode one run, found by binary search.
//
// The block: a varint of the number of terms, the skip entries (two 4-byte
// words each, unaligned), then the pairs.
class TermList {
 public:
  // Iterates the (term id, frequency) pairs by term id, by value.
  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::pair<uint32_t, uint32_t>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    value_type operator*() const { return {term_, frequency_}; }
    const_iterator& operator++() {
      if (--left_ > 0) Decode();
      return *this;
    }
    bool operator==(const const_iterator& o) const { return left_ == o.left_; }
    bool operator!=(const const_iterator& o) const { return left_ != o.left_; }

   private:
    friend class TermList;
    const_iterator() = default;
    // The `left` pairs coded from `next` on.
    const_iterator(const uint8_t* next, size_t left)
        : next_(next), left_(left) {
      if (left_ > 0) Decode();
    }
    void Decode() {
      term_ += static_cast<uint32_t>(ReadGapAndFrequency(&next_, &frequency_));
    }

    const uint8_t* next_ = nullptr;  // The pair after the current.
    size_t left_ = 0;                // Pairs from the current on.
    uint32_t term_ = 0;
    uint32_t frequency_ = 0;
  };

  TermList() = default;
  // REQUIRES: `counts` sorted by term id, each id once, each frequency
  // above 0.
  explicit TermList(const TermCounts& counts);
  // The same of the `n` pairs pair_at(0), ..., pair_at(n - 1) (each a
  // std::pair<uint32_t, uint32_t>), read twice and kept nowhere: a
  // snapshot's stored pairs are coded where they lie, where copying them
  // into TermCounts first was a twentieth of a load (issue 16).
  // REQUIRES: as above.
  template <typename PairAt>
  TermList(size_t n, const PairAt& pair_at);
  TermList(TermList&&) = default;
  TermList& operator=(TermList&&) = default;

  // The frequency of `term`, 0 when the text does not have it.
  uint32_t Frequency(uint32_t term) const;
  // Sets frequencies[i] to Frequency(terms[i]) for every i, in one forward
  // pass over the list: a merge that skips a whole run when its last id is
  // below the next term, where a Frequency each would search the skips
  // and decode up to a run for every term (scoring's text value asks for a
  // query's hundred or more terms at once, issue 16).
  // REQUIRES: `terms` ascending, each once;
  // frequencies.size() == terms.size().
  void Frequencies(absl::Span<const uint32_t> terms,
                   absl::Span<uint32_t> frequencies) const;

  size_t size() const;
  bool empty() const { return block_ == nullptr; }
  const_iterator begin() const;
  const_iterator end() const { return const_iterator(); }
  // The size of its block (memory accounting).
  size_t AllocatedBytes() const;

 private:
  // Terms a skip entry covers.
  static constexpr size_t kRun = 16;
  // A skip entry: the id before its run, and where its run's pairs begin.
  static constexpr size_t kSkipBytes = 2 * sizeof(uint32_t);
  // Where the parts of the block begin.
  struct Layout {
    size_t terms;
    const uint8_t* skips;  // Runs - 1 entries.
    const uint8_t* pairs;
  };
  Layout LayoutOf() const;
  // Allocates the block of `terms` terms (at least one) whose pairs take
  // `pair_bytes`, writes its count, and returns where its skip entries
  // begin; the pairs begin SkipBytes(terms) after that.
  uint8_t* NewBlock(size_t terms, size_t pair_bytes);
  static size_t SkipBytes(size_t terms) {
    return ((terms + kRun - 1) / kRun - 1) * kSkipBytes;
  }

  std::unique_ptr<uint8_t[]> block_;
};

template <typename PairAt>
TermList::TermList(size_t n, const PairAt& pair_at) {
  if (n == 0) return;
  // The pairs' size first, then the block is written in place: growing two
  // vectors and copying them was a quarter of AnalyzeProfile in a load
  // (issue 16).
  size_t pair_bytes = 0;
  uint32_t previous = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::pair<uint32_t, uint32_t> pair = pair_at(i);
    pair_bytes += GapAndFrequencyBytes(pair.first - previous, pair.second);
    previous = pair.first;
  }
  uint8_t* skip = NewBlock(n, pair_bytes);
  uint8_t* const pairs = skip + SkipBytes(n);
  uint8_t* p = pairs;
  previous = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::pair<uint32_t, uint32_t> pair = pair_at(i);
    if (i % kRun == 0 && i > 0) {
      const uint32_t entry[2] = {previous, static_cast<uint32_t>(p - pairs)};
      std::memcpy(skip, entry, sizeof(entry));
      skip += sizeof(entry);
    }
    p = WriteGapAndFrequency(pair.first - previous, pair.second, p);
    previous = pair.first;
  }
}

// A capability with a technology readiness level stated (1-9): a view into
// its doc's CapabilityLevels, valid as long as the doc.
class CapabilityLevel {
 public:
  int trl() const { return static_cast<int>(words_[0]); }
  // Its CPV codes: cpv(0) to cpv(cpv_size() - 1).
  size_t cpv_size() const { return words_[1]; }
  CpvCode cpv(size_t i) const { return CpvCode::FromDigits(words_[3 + i]); }
  // Its tags, as indices into the doc's `tags` (FoldText of each).
  absl::Span<const uint32_t> tags() const {
    return absl::MakeConstSpan(words_ + 3 + words_[1], words_[2]);
  }

 private:
  friend class CapabilityLevels;
  explicit CapabilityLevel(const uint32_t* words) : words_(words) {}
  // The words it takes in the block.
  size_t size() const { return 3 + words_[1] + words_[2]; }

  // The level, the codes' count, the tags' count, the codes' digits, the
  // tags' indices.
  const uint32_t* words_;
};

// A supplier's capabilities with a technology readiness level stated, in
// one block of 32-bit words (8 bytes in the doc and one allocation, none
// without levels; a vector of levels, each with a vector of codes and one of
// folded tags, cost about 176 bytes a supplier, issue 16). Not changed once
// assigned, so that the levels' views stay valid.
class CapabilityLevels {
 public:
  // What one level is made of.
  struct Capability {
    int trl = 0;
    std::vector<CpvCode> cpv;
    std::vector<uint32_t> tags;  // Indices into the doc's tags.
  };

  // Iterates the levels in the order assigned, by value.
  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = CapabilityLevel;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    value_type operator*() const { return CapabilityLevel(at_); }
    const_iterator& operator++() {
      at_ += CapabilityLevel(at_).size();
      return *this;
    }
    bool operator==(const const_iterator& o) const { return at_ == o.at_; }
    bool operator!=(const const_iterator& o) const { return at_ != o.at_; }

   private:
    friend class CapabilityLevels;
    explicit const_iterator(const uint32_t* at) : at_(at) {}
    const uint32_t* at_;
  };

  CapabilityLevels() = default;
  CapabilityLevels(const CapabilityLevels&) = delete;
  CapabilityLevels& operator=(const CapabilityLevels&) = delete;

  // Replaces the levels with `levels`, in order.
  void Assign(const std::vector<Capability>& levels);

  // words_[0] counts the words after it.
  const_iterator begin() const {
    return const_iterator(words_ == nullptr ? nullptr : words_.get() + 1);
  }
  const_iterator end() const {
    return const_iterator(words_ == nullptr ? nullptr
                                            : words_.get() + 1 + words_[0]);
  }
  bool empty() const { return words_ == nullptr; }
  // The size of its block, 0 without levels (memory accounting).
  size_t AllocatedBytes() const {
    return words_ == nullptr ? 0 : (1 + words_[0]) * sizeof(uint32_t);
  }

 private:
  std::unique_ptr<uint32_t[]> words_;
};

// The fields of a profile that most suppliers leave empty (alternative
// names, facility clearances, cleared staff, certificates, languages) in one
// block: 8 bytes in the doc and no allocation when all are empty, one
// allocation otherwise (five vectors took 120 bytes of every doc, issue 16).
// Not changed once assigned, so that the views it hands out stay valid as
// long as the doc.
class RarelySetFields {
 public:
  // Texts of the block, iterated as string_views.
  class Texts {
   public:
    using const_iterator = ViewIterator<Texts>;
    absl::string_view operator[](size_t i) const {
      const uint32_t begin = first_ + i == 0 ? 0 : ends_[first_ + i - 1];
      return absl::string_view(chars_ + begin, ends_[first_ + i] - begin);
    }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const_iterator begin() const { return const_iterator(*this, 0); }
    const_iterator end() const { return const_iterator(*this, size_); }

   private:
    friend class RarelySetFields;
    friend class SupplierParts;
    const uint32_t* ends_ = nullptr;
    const char* chars_ = nullptr;
    size_t first_ = 0;  // The texts' index among every text of the block.
    size_t size_ = 0;
  };

  // Certificates of the block, iterated by value.
  class Certificates {
   public:
    using const_iterator = ViewIterator<Certificates>;
    Certificate operator[](size_t i) const {
      return {texts_[2 * i], texts_[2 * i + 1], until_[i]};
    }
    size_t size() const { return until_.size(); }
    bool empty() const { return until_.empty(); }
    const_iterator begin() const { return const_iterator(*this, 0); }
    const_iterator end() const { return const_iterator(*this, size()); }

   private:
    friend class RarelySetFields;
    Texts texts_;  // Each certificate's scheme key, then its scheme.
    absl::Span<const absl::CivilDay> until_;
  };

  // What the block is made of; the views need only last until Assign
  // returns.
  struct Fields {
    std::vector<absl::string_view> alternative_names;
    std::vector<DatedLevel> facility_clearances;
    std::vector<std::pair<int, int>> cleared_staff;  // (level, count)
    std::vector<Certificate> certificates;
    std::vector<absl::string_view> languages;
  };

  RarelySetFields() = default;
  RarelySetFields(const RarelySetFields&) = delete;
  RarelySetFields& operator=(const RarelySetFields&) = delete;

  // Replaces the fields with `fields`; texts together under 4 GiB.
  void Assign(const Fields& fields);

  // The names it is also known by (coverage resolves award winners by name).
  Texts alternative_names() const { return TextsOf(kAlternativeNames); }
  absl::Span<const DatedLevel> facility_clearances() const;
  // (level, count).
  absl::Span<const std::pair<int, int>> cleared_staff() const;
  Certificates certificates() const;
  Texts languages() const { return TextsOf(kLanguages); }
  // The size of its block, 0 when every field is empty (memory accounting).
  size_t AllocatedBytes() const;

 private:
  // The words at the block's head, in this order: the counts, then the
  // texts' length in bytes.
  enum HeadWord {
    kAlternativeNames,
    kClearances,
    kClearedStaff,
    kCertificates,
    kLanguages,
    kTextBytes,
    kHeadWords
  };
  // Where each part of the block begins, and its end.
  struct Layout {
    size_t clearances, until, staff, text_ends, chars, end;
  };

  // The head word, 0 without a block.
  uint32_t Head(HeadWord w) const;
  // Of a block with the head `head`.
  static Layout LayoutOf(const uint32_t (&head)[kHeadWords]);
  Layout LayoutOf() const;
  // The alternative names or the languages.
  Texts TextsOf(HeadWord count) const;

  // The head, the clearances, the certificates' dates, the cleared
  // staff, every text's end (the names, each
  // certificate's scheme key and scheme, the languages), the texts.
  std::unique_ptr<char[]> block_;
};

// The text keyword requirements are matched against (name, descriptions,
// capabilities and tags, certifications, past contracts): lower-cased and
// accent-folded, or as written for case-sensitive rules. Each form is the
// same for every query, so it is computed the first time a keyword rule of
// its kind looks at the supplier, and kept: parsing the profile and folding
// its text when an index is built or loaded would cost more (several
// microseconds per kilobyte) than the few queries with keyword rules.
// Thread-safe: concurrent first calls may each compute a form; one is kept
// (the same text either way) and the others freed.
class KeywordTexts {
 public:
  KeywordTexts() = default;
  KeywordTexts(const KeywordTexts&) = delete;
  KeywordTexts& operator=(const KeywordTexts&) = delete;
  ~KeywordTexts();

  // `profile_bytes` is the owning SupplierDoc's profile_bytes, the same at
  // every call: the first call's text is kept.
  const std::string& Folded(const ProfileBytes& profile_bytes) const;
  const std::string& AsWritten(const ProfileBytes& profile_bytes) const;

 private:
  // The forms made so far, allocated on first use: most suppliers never
  // meet a keyword rule, and the doc keeps one pointer (two once_flags and
  // two pointers took 24 bytes of every doc, issue 16).
  struct Forms {
    Forms() = default;
    Forms(const Forms&) = delete;
    Forms& operator=(const Forms&) = delete;
    ~Forms();

    std::atomic<const std::string*> folded{nullptr};
    std::atomic<const std::string*> as_written{nullptr};
  };
  Forms& FormsOf() const;

  mutable std::atomic<Forms*> forms_{nullptr};
};

// A CPV concept of a supplier's texts (lib/cpv_concepts.h), as scoring
// reads it: the code as its packed BCD form, which scoring compares, and
// its weight.
struct ConceptRef {
  ConceptRef(CpvCode concept_code, float concept_weight)
      : bcd(concept_code.bcd()), weight(concept_weight) {}
  // The code at `ordinal` of CpvTaxonomy::Builtin() (its Ordinal()).
  static ConceptRef OfOrdinal(uint16_t ordinal, float weight);
  // The code, decoded from `bcd`.
  CpvCode code() const;

  uint32_t bcd;  // CpvCode::bcd().
  float weight;

 private:
  ConceptRef(uint32_t concept_bcd, float concept_weight)
      : bcd(concept_bcd), weight(concept_weight) {}
};

// A supplier's concepts as SupplierParts keeps them, 6 bytes each where a
// ConceptRef takes 8 (issue 16): the weights, then each code as its 16-bit
// ordinal in CpvTaxonomy::Builtin() (9,454 codes), which every concept is
// (the concept model's codes are; a snapshot's are checked). Iterated as
// ConceptRefs, by value; a view into the block, valid as long as the doc.
class ConceptList {
 public:
  using const_iterator = ViewIterator<ConceptList>;
  ConceptRef operator[](size_t i) const {
    return ConceptRef::OfOrdinal(ordinals_[i], weights_[i]);
  }
  // Concept i's code's ordinal in CpvTaxonomy::Builtin(), and its weight.
  uint16_t ordinal(size_t i) const { return ordinals_[i]; }
  float weight(size_t i) const { return weights_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(*this, 0); }
  const_iterator end() const { return const_iterator(*this, size_); }

 private:
  friend class SupplierParts;
  const float* weights_ = nullptr;
  const uint16_t* ordinals_ = nullptr;
  size_t size_ = 0;
};

// The parts of a doc whose size varies from supplier to supplier and that
// results and scoring read (the id and name every result carries, the
// offered codes, the folded capability tags, the CPV concepts) in one
// block: 8 bytes in the doc and one allocation, where two strings and three
// vectors took 136 bytes of every doc and up to five allocations (issue
// 16). Not changed once assigned, so that the views it hands out stay valid
// as long as the doc.
class SupplierParts {
 public:
  // What the block is made of; the views need only last until Assign
  // returns.
  struct Fields {
    absl::string_view id;
    absl::string_view name;
    absl::Span<const uint32_t> offered_bcd;  // Unique, ascending.
    absl::Span<const std::string> tags;      // Unique, ascending.
    absl::Span<const ConceptRef> concepts;
    // The concepts' ordinals in CpvTaxonomy::Builtin(), one each, when the
    // caller has them (a snapshot's, looked up when read); when empty,
    // Assign looks them up.
    absl::Span<const uint16_t> concept_ordinals;
  };

  SupplierParts() = default;
  SupplierParts(const SupplierParts&) = delete;
  SupplierParts& operator=(const SupplierParts&) = delete;

  // Replaces the parts with `fields`; texts together under 4 GiB. A
  // concept whose code is not in CpvTaxonomy::Builtin() (which numbers the
  // concepts) is an InternalError naming it, and leaves the parts empty.
  absl::Status Assign(const Fields& fields);

  // The profile's id and name.
  absl::string_view id() const { return Chars(0, Head(kIdBytes)); }
  absl::string_view name() const {
    return Chars(Head(kIdBytes), Head(kNameBytes));
  }
  // Profile and capability codes, unique, ascending, kept only as the
  // CpvCode::bcd() forms scoring compares (CpvOfBcd gives the codes back).
  absl::Span<const uint32_t> offered_bcd() const;
  // The capability tags, folded, unique, ascending.
  RarelySetFields::Texts tags() const;
  // Whether `folded_tag` is among tags(): a binary search.
  bool HasTag(absl::string_view folded_tag) const;
  // Its concepts, strongest first, at most CpvConcepts::kMaxConcepts;
  // weights in (0, 1].
  ConceptList concepts() const;
  // The size of its block, 0 before Assign (memory accounting).
  size_t AllocatedBytes() const;
  // Where its block begins (null before Assign), for a prefetch: the head
  // and what follows it (concept weights, offered codes).
  const void* block() const { return block_.get(); }

 private:
  // The words at the block's head, in this order.
  enum HeadWord {
    kIdBytes,
    kNameBytes,
    kOfferedCodes,
    kConcepts,
    kTags,
    kTagBytes,
    kHeadWords
  };
  // Where each part of the block begins, and its end.
  struct Layout {
    size_t weights, offered, tag_ends, ordinals, chars, end;
  };

  // The head word, 0 without a block.
  uint32_t Head(HeadWord w) const;
  // Of a block with the head `head`.
  static Layout LayoutOf(const uint32_t (&head)[kHeadWords]);
  Layout LayoutOf() const;
  // `size` characters from `begin` of the texts (the id, the name, then the
  // tags).
  absl::string_view Chars(size_t begin, size_t size) const;

  // The head, the concepts' weights, the offered codes, every tag's end
  // (counted from the first tag's beginning), the concepts' ordinals, the
  // id's, the name's and the tags' characters.
  std::unique_ptr<char[]> block_;
};

struct SupplierDoc {
  // A CPV concept, as SupplierParts::concepts() holds them.
  using ConceptRef = internal::ConceptRef;

  // The profile as it was added, in the binary format. No protobuf object is
  // kept per supplier (one costs about 2.5 KiB resident, its bytes about
  // 1 KiB): the few readers of the whole profile (explanations, consortium
  // and coverage rules, case-sensitive keywords) parse it with Profile().
  // Restored from a snapshot file, the bytes stay in the mapped file.
  ProfileBytes profile_bytes;
  // The profile parsed from profile_bytes: a few microseconds a call.
  v1::SupplierProfile Profile() const;

  // The id and name, the offered codes, the tags and the CPV concepts.
  SupplierParts parts;
  // What keyword requirements are matched against, made on first use.
  KeywordTexts keyword_texts;

  // The fields below are ordered by alignment, so that the record has no
  // padding between them (issue 16).
  double turnover = 0;  // The latest year's amount, in turnover_currency.
  // Alternative names, clearances, cleared staff, certificates, languages.
  RarelySetFields rarely_set;
  CapabilityLevels capability_levels;
  ContractStore contracts;
  TermList terms;     // Its analysed text, for scoring.
  NutsCode location;  // Supplier's NUTS code, or its country at level 0.
  // Eligibility forward data.
  IsoCode country;
  IsoCode executive_country;
  IsoCode turnover_currency;      // Of `turnover`.
  int third_country_control = 0;  // v1::ThirdCountryControl.
  int entity_type = 0;            // v1::EntityType.
  int employees = 0;
  uint32_t length = 0;  // Sum of the terms' frequencies.
  bool has_turnover = false;
};

// The unfolded text keyword requirements see; case-sensitive rules match
// this, built on demand (they are rare).
std::string KeywordText(const v1::SupplierProfile& profile);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_SUPPLIER_DOC_H_
