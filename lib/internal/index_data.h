// File: lib/internal/index_data.h
//
// INTERNAL. What a SupplierIndex holds, for the matcher and the snapshot
// code: the analysed profiles (internal::SupplierDoc) in id order, the
// vocabulary of analysed terms, and the postings. The public SupplierIndex
// shows only what embedders use; this header is the internal accessor.
//
// Threading: an IndexData is immutable once its SupplierIndex is built.
#ifndef PROCMATCH_LIB_INTERNAL_INDEX_DATA_H_
#define PROCMATCH_LIB_INTERNAL_INDEX_DATA_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "procmatch/cpv.h"
#include "procmatch/internal/prefetch.h"
#include "procmatch/internal/snapshot_layout.h"
#include "procmatch/internal/supplier_doc.h"
#include "procmatch/internal/term_dictionary.h"
#include "procmatch/internal/term_postings.h"
#include "procmatch/nuts.h"
#include "procmatch/options.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/supplier.pb.h"

namespace procmatch {
namespace internal {

// Postings of CPV codes: the docs of each code, ascending.
using CpvPostingMap = absl::flat_hash_map<CpvCode, std::vector<uint32_t>>;

class IndexData {
 public:
  int size() const { return static_cast<int>(docs_.size()); }
  uint64_t generation() const { return generation_; }
  const Options& options() const { return options_; }

  const SupplierDoc& doc(int d) const { return *docs_[d]; }
  // Start loading what scoring supplier d reads first into the cache, for
  // a reader about to visit suppliers in an order of its own (retrieval
  // tightens candidates by their bounds), in three steps, each issued a
  // few suppliers before the next since each reads what the one before
  // loads: the doc's entry in the table of docs, its SupplierDoc, and the
  // blocks a score reads first (its parts and contracts).
  void PrefetchEntry(int d) const { PrefetchLine(&docs_[d]); }
  void PrefetchDoc(int d) const {
    PrefetchBytes(docs_[d].get(), sizeof(SupplierDoc));
  }
  void PrefetchBlocks(int d) const {
    PrefetchBytes(docs_[d]->parts.block(), 2 * kCacheLineBytes);
    PrefetchLine(docs_[d]->contracts.block());
  }
  // The same, shared: a new generation keeps unchanged docs.
  const std::shared_ptr<const SupplierDoc>& shared_doc(int d) const {
    return docs_[d];
  }
  // The doc of a supplier id, or -1: a binary search over the docs, which
  // are in id order.
  int FindDoc(absl::string_view id) const;

  // Docs with a code at or below `code` (offered or in past contracts),
  // ascending; empty for none.
  const std::vector<uint32_t>& CpvPostings(CpvCode code) const;
  // Docs offering exactly `code`, a code above the finest level, ascending
  // (derived from the docs): a tender code's ancestor that a supplier offers
  // earns more CPV credit than a code merely sharing it.
  const std::vector<uint32_t>& OfferedCpvPostings(CpvCode code) const;
  // Term id of an analysed term, or -1.
  int64_t TermId(absl::string_view term) const;
  // The (doc, frequency) postings of a term id, ascending by doc.
  TermPostingList TermPostings(uint32_t term) const {
    return term_postings_.List(term);
  }
  // All of them, for the snapshot writer.
  const TermPostingStore& AllTermPostings() const { return term_postings_; }
  // All the CPV and offered CPV postings, for the snapshot writer.
  const CpvPostingMap& AllCpvPostings() const { return cpv_postings_; }
  const CpvPostingMap& AllOfferedCpvPostings() const {
    return offered_cpv_postings_;
  }
  // Docs with the folded capability tag, ascending.
  const std::vector<uint32_t>& TagPostings(absl::string_view tag) const;
  // Docs holding a certificate of the scheme (a NormalizeScheme() key),
  // valid or not, ascending.
  const std::vector<uint32_t>& CertificationPostings(
      absl::string_view scheme_key) const;
  double average_length() const { return average_length_; }
  // The suppliers with concepts in one CPV division (a two-digit code),
  // ascending by doc: (doc, its largest concept weight in the division),
  // and for each the marks of its concepts there (ConceptMarks: their CPV
  // groups and a signature of their codes), so that retrieval can bound a
  // tender concept by the credit of the depth a supplier's concepts share
  // with it without a second list. `marks` is derived when the index is
  // assembled, not stored: 4 bytes a posting.
  //
  // The postings fall in bands by their weight (ConceptBand): below 1/8,
  // 1/8 to 1/4, 1/4 to 1/2, and 1/2 or more, so that retrieval can leave
  // the many weak concepts unread. Each band's count and largest weight are
  // derived with `marks`, so that a query need not scan the list for them.
  static constexpr int kConceptBands = 4;
  // The lower edge of each band.
  static constexpr float kConceptBandEdges[kConceptBands] = {0.0f, 0.125f,
                                                             0.25f, 0.5f};
  // The band of a concept weight.
  static int ConceptBand(float weight) {
    int b = kConceptBands - 1;
    while (b > 0 && weight < kConceptBandEdges[b]) --b;
    return b;
  }
  struct ConceptPostingList {
    std::vector<std::pair<uint32_t, float>> postings;
    // Parallel to `postings`: the ConceptMarks of the supplier's concepts
    // in the division, ORed.
    std::vector<uint32_t> marks;
    // By band: the postings in it, and the largest weight among them (0
    // when none; retrieval reads the top band's, the others' ceilings being
    // the next band's lower edge).
    int64_t band_count[kConceptBands] = {};
    float band_top[kConceptBands] = {};
  };
  // A concept code's marks in its division's postings:
  // - bit g (0-9) for its group, the code's third digit g;
  // - kDivisionCodeBit when it is the division's own code (35000000, also
  //   in group 0);
  // - its signature (kConceptSignatureMask): the ConceptSignatureBit of
  //   each of its prefixes four digits deep or deeper (Truncated(4) to the
  //   code itself), or of the code itself when it is a group's (35600000).
  // A supplier concept sharing k >= 4 leading digits with a tender concept t,
  // both at least k deep, so marks t.Truncated(k); one that is t's group's
  // own code marks t.Truncated(3). A mark that is not set rules out every
  // code that would set it, and retrieval bounds t by the credit of the
  // deepest prefix of t that is marked (internal/retrieval.h,
  // ConceptCeiling). The signature is a hash: a bit can be set by another
  // prefix, which only loosens the bound.
  static constexpr uint32_t kConceptGroupMask = 0x3ff;
  static constexpr uint32_t kDivisionCodeBit = 1u << 10;
  static constexpr int kConceptSignatureShift = 11;
  static constexpr int kConceptSignatureBits = 21;
  static constexpr uint32_t kConceptSignatureMask =
      ~(kConceptGroupMask | kDivisionCodeBit);
  static uint32_t ConceptMarks(CpvCode code);
  // The group bit of a code: its third digit's (group 0's for a division's
  // own code).
  static uint32_t ConceptGroupBit(CpvCode code);
  // The signature bit of a prefix (a code's Truncated(k)): one of the
  // kConceptSignatureBits, by a multiplicative hash of its digits.
  static uint32_t ConceptSignatureBit(CpvCode prefix);
  const ConceptPostingList& ConceptPostings(CpvCode division) const;
  // Docs with a past contract from the buyer (a BuyerPostingKey()) or from
  // a buyer of the country and activity (a BuyerActivityKey()), ascending.
  const std::vector<uint32_t>& BuyerPostings(absl::string_view key) const;

  // The analysed terms, indexed by term id.
  std::vector<absl::string_view> Vocabulary() const;

  // What retrieval reads of every supplier to bound its score, as flat
  // arrays indexed by doc (struct of arrays), so that bounding a candidate
  // does not touch its SupplierDoc: the length of its analysed text, its
  // location, and its latest turnover with the currency's id.
  uint32_t length(int d) const { return lengths_[d]; }
  void PrefetchLength(int d) const { PrefetchLine(&lengths_[d]); }
  // An index into locations(): suppliers of one place share it.
  uint32_t location_id(int d) const { return location_ids_[d]; }
  // The suppliers' distinct locations (an invalid code for none).
  const std::vector<NutsCode>& locations() const { return locations_; }
  // The suppliers at a location id, ascending: retrieval visits the places
  // whose proximity alone may reach the k-th score without scanning all.
  absl::Span<const uint32_t> LocationDocs(uint32_t location_id) const {
    return absl::MakeConstSpan(location_docs_)
        .subspan(
            location_starts_[location_id],
            location_starts_[location_id + 1] - location_starts_[location_id]);
  }
  double turnover(int d) const { return turnovers_[d]; }
  // The most track record and buyer affinity can be for the supplier, for
  // any tender: each past contract's evidence counted at its largest
  // (relatedness and recency 1, any buyer as the tender's own), rounded up.
  // 0 without contracts.
  float track_ceiling(int d) const { return track_ceilings_[d]; }
  float buyer_ceiling(int d) const { return buyer_ceilings_[d]; }
  // The most any of the supplier's contracts counts for by its age
  // (RecencyOfDays, kUndatedRecency in internal/evidence.h) for a tender as
  // of `as_of_days` (days after ContractEpoch()): its newest dated
  // contract's, or kUndatedRecency when that is more and a contract has no
  // date; 0 without contracts. Scaled into the ceilings above
  // (CeilingAtRecency), it bounds track record and buyer affinity for one
  // tender more closely than they bound them for any.
  double ContractRecency(int d, int64_t as_of_days) const;
  // The CPV divisions of the supplier's past contracts' codes, as
  // DivisionBit()s: a tender none of whose divisions is among them earns
  // the supplier no track record (a contract's code must share at least a
  // division with one of the tender's).
  uint64_t contract_divisions(int d) const { return contract_divisions_[d]; }
  // The same for the codes the supplier offers (SupplierParts::offered_bcd):
  // a tender none of whose divisions is among them earns it no CPV credit,
  // though its contracts' codes post it in the tender's CPV lists.
  uint64_t offered_divisions(int d) const { return offered_divisions_[d]; }
  // A division's bit in contract_divisions() and offered_divisions(): one
  // of its own for each of the 45 divisions of CPV 2008, one shared by any
  // other, so that a set of bits that misses a code's bit misses its division.
  static uint64_t DivisionBit(CpvCode code);
  // kNoCurrency for a supplier without turnover.
  int32_t turnover_currency(int d) const { return turnover_currencies_[d]; }
  // The id of a turnover currency ("EUR"), or kNoCurrency when no supplier
  // states a turnover in it.
  int32_t CurrencyId(absl::string_view currency) const;
  static constexpr int32_t kNoCurrency = -1;

  // The heap an index holds, by part, counted from sizes and capacities,
  // each block as glibc's malloc rounds it (lib/internal/index_memory.cc):
  // a figure that does not move between runs, beside the resident set a
  // process shows (issue 16, doc/benchmarks.md). Keyword texts, made on
  // first use, are not counted.
  struct MemoryPart {
    const char* name;
    int64_t bytes;
  };
  struct MemoryUsage {
    std::vector<MemoryPart> parts;  // In a fixed order.
    int64_t heap_bytes = 0;         // Their sum.
    // The profiles' serialized bytes, not in `parts`: in the mapped file for
    // an index loaded by LoadSnapshotFile, in one heap block shared by all
    // for LoadSnapshot, one heap block each for a built index.
    int64_t profile_bytes = 0;
    // The term postings matching reads from the mapped file of an index
    // loaded by LoadSnapshotFile (TermPostingStore::MappedBytes), not in
    // `parts`: resident as the page cache's pages, not the heap's.
    int64_t mapped_bytes = 0;
  };
  // Docs shared with an earlier generation (ApplyUpdate) are counted in full
  // by each index that holds them.
  MemoryUsage CountMemory() const;

 private:
  friend struct IndexAccess;

  // contract_dates_'s range, and its mark for no dated contract.
  static constexpr int32_t kContractDaysLimit = 1 << 29;
  static constexpr int32_t kNoDatedContract = -kContractDaysLimit - 1;

  Options options_;
  uint64_t generation_ = 0;
  std::vector<std::shared_ptr<const SupplierDoc>> docs_;  // By id.
  TermDictionary vocabulary_;
  CpvPostingMap cpv_postings_;
  CpvPostingMap offered_cpv_postings_;
  TermPostingStore term_postings_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> tag_postings_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>>
      certification_postings_;
  absl::flat_hash_map<CpvCode, ConceptPostingList> concept_postings_;
  double average_length_ = 0;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> buyer_postings_;
  std::vector<uint32_t> lengths_;
  std::vector<uint32_t> location_ids_;
  std::vector<NutsCode> locations_;
  std::vector<uint32_t> location_starts_;  // Into location_docs_, by id.
  std::vector<uint32_t> location_docs_;    // Docs grouped by location id.
  std::vector<double> turnovers_;
  std::vector<float> track_ceilings_;
  std::vector<float> buyer_ceilings_;
  // Per supplier: 2 x its newest dated contract's days (kNoDatedContract
  // for none), plus 1 when a contract has no date. Days beyond
  // kContractDaysLimit either way are held at it: one before -limit is held
  // later than it is (a bound, not a value), and one at +limit counts as
  // recent for any tender.
  std::vector<int32_t> contract_dates_;
  std::vector<uint64_t> contract_divisions_;
  std::vector<uint64_t> offered_divisions_;
  std::vector<int32_t> turnover_currencies_;
  absl::flat_hash_map<std::string, int32_t> currency_ids_;
};

// The buyer postings key of a folded buyer name: "buyer:stad gent"; "" for
// an empty name.
std::string BuyerPostingKey(absl::string_view buyer_key);

// The postings a snapshot stores, read instead of derived when an index is
// assembled; each null when the snapshot's format does not store them. Each
// reads into its arguments, or says why it cannot (a DataLoss error).
struct StoredPostings {
  // The term postings (format 3 on).
  std::function<absl::Status(TermPostingStore* postings)> terms;
  // The CPV postings and the offered CPV postings (format 4 on).
  std::function<absl::Status(CpvPostingMap* cpv, CpvPostingMap* offered)> cpv;
};

// The way in from the public SupplierIndex, and the ways to make one.
struct IndexAccess {
  static const IndexData& Data(const SupplierIndex& index) {
    return *index.data_;
  }

  // How the docs given to Assemble are ordered.
  enum class DocOrder {
    kAny,   // Sorted by id first.
    kById,  // Promised (by a snapshot); checked while the postings are
            // built, a DataLoss error where the promise is broken.
  };

  // Sorts `docs` by id (unless `order` says they are) and builds the
  // postings: the index of `generation`, whose terms are numbered by
  // `vocabulary`.
  // Duplicate ids are an AlreadyExists error. The postings `stored` reads
  // (a snapshot's, the terms by the ids of `vocabulary`) are read instead
  // of derived from the docs, and their errors returned.
  static absl::StatusOr<std::shared_ptr<const SupplierIndex>> Assemble(
      std::vector<std::shared_ptr<const SupplierDoc>> docs,
      TermDictionary vocabulary, uint64_t generation, const Options& options,
      const StoredPostings& stored = {}, DocOrder order = DocOrder::kAny);
};

// The texts of a profile that say what it does, with their languages
// (empty: guess): description, capability descriptions, past contracts'
// titles and descriptions. Its CPV concepts come from these; the name,
// which says little, is left out.
std::vector<std::pair<absl::string_view, absl::string_view>> ConceptTexts(
    const v1::SupplierProfile& profile);

// The analysed terms of a supplier with their frequencies, by term.
using TermTexts = std::vector<std::pair<std::string, uint32_t>>;

// A profile analysed but for its term ids: the part of analysis that is the
// same whichever vocabulary numbers the terms, so that profiles can be
// analysed on several threads.
struct AnalyzedSupplier {
  std::shared_ptr<SupplierDoc> doc;  // Its `terms` and `length` are unset.
  TermTexts terms;                   // Empty for restored terms.
};

struct ParsedSupplierCodes;  // field_checker.h

// A supplier's analysed text as a snapshot stores it (doc/snapshot.md, the
// terms section): (term id, frequency) pairs by term id, each two
// little-endian uint32s. A view, read where it lies.
class StoredTerms {
 public:
  StoredTerms() = default;
  // REQUIRES: entries.size() a multiple of 8.
  explicit StoredTerms(absl::string_view entries) : entries_(entries) {}

  size_t size() const { return entries_.size() / 8; }
  std::pair<uint32_t, uint32_t> operator[](size_t i) const {
    return {GetUint32(entries_.data() + 8 * i),
            GetUint32(entries_.data() + 8 * i + 4)};
  }

 private:
  absl::string_view entries_;
};

// A supplier's CPV concepts as a snapshot stores them, strongest first,
// with each code's ordinal in CpvTaxonomy::Builtin(), looked up once when
// read (SupplierParts keeps the ordinals; looking each code up twice, to
// check it and to number it, was 4% of a load, issue 16).
struct RestoredConcepts {
  std::vector<SupplierDoc::ConceptRef> concepts;
  std::vector<uint16_t> ordinals;  // Of `concepts`' codes, one each.
};

// Analyses a validated profile with the taxonomies of `options`, all but
// numbering its terms (NumberTerms does that). Thread-safe (each thread
// keeps the vectors it builds a doc from for its next call, so it does not
// call itself). Errors name the supplier and the field (a code that does
// not parse): validation should have caught them, but analysis never drops
// data silently. With
// `restored_terms` and `restored_concepts` (as a snapshot stores them), no
// text is analysed; with restored terms only, the texts are analysed for
// their concepts when options.cpv_concepts asks for them. The doc keeps
// `stored_bytes` (the profile's bytes as a snapshot stores them, `profile`
// parsed) rather than serialising `profile` again. With `parsed` (the
// profile's codes as ValidateParsedSupplier parsed them) no CPV or NUTS
// code is parsed again. Keeps no reference to `profile`, so that a caller
// may parse the next profile into it.
absl::StatusOr<AnalyzedSupplier> AnalyzeProfile(
    const v1::SupplierProfile& profile, const Options& options,
    const StoredTerms* restored_terms = nullptr,
    const RestoredConcepts* restored_concepts = nullptr,
    const ProfileBytes* stored_bytes = nullptr,
    const ParsedSupplierCodes* parsed = nullptr);

// Numbers the terms of `analyzed` in `vocabulary` (a new term gets the next
// id, in term order) and completes its doc. `vocabulary` may be null when
// the terms were restored.
std::shared_ptr<const SupplierDoc> NumberTerms(
    AnalyzedSupplier analyzed,
    absl::flat_hash_map<std::string, uint32_t>* vocabulary);

// Analyses validated profiles on options.build_threads threads; terms are
// numbered in input order, so the docs and `vocabulary` are the same for any
// number of threads. Errors as AnalyzeProfile's, the first in input order.
absl::StatusOr<std::vector<std::shared_ptr<const SupplierDoc>>>
AnalyzeSuppliers(std::deque<v1::SupplierProfile> profiles,
                 const Options& options,
                 absl::flat_hash_map<std::string, uint32_t>* vocabulary);

// The vocabulary NumberTerms numbered, each term at its id.
TermDictionary DictionaryOf(
    const absl::flat_hash_map<std::string, uint32_t>& vocabulary);

// The threads options.build_threads asks for: one per core when 0.
int BuildThreads(const Options& options);

// What a snapshot stores of one supplier (doc/snapshot.md).
struct StoredSupplier {
  ProfileBytes profile;  // A serialized v1::SupplierProfile.
  StoredTerms terms;     // Its analysed text, by term id.
  // Its CPV concepts as analysed when it was saved; when false, its texts
  // are analysed again for them if options.cpv_concepts asks for them.
  bool has_concepts = false;
  RestoredConcepts concepts;
};

// Reads supplier `s` of a snapshot into `*stored`, or says why it cannot be
// read (a DataLoss error). It must set every field of `*stored`, which may
// hold an earlier supplier's (its vectors reused), and be safe to call from
// several threads at once.
using ReadStoredSupplier =
    std::function<absl::Status(size_t s, StoredSupplier* stored)>;

// An index from what a snapshot stores, without analysing text again:
// `suppliers` suppliers read with `read`, which is called at most once per
// supplier on options.build_threads threads (not for those after a fault in
// the same chunk of 64), while one of the threads numbers `vocabulary`; the
// postings read with `stored` (each one of the passes that assemble the
// index, on the same threads), or derived from the docs where it has no
// reader (formats 2 and 3). Each profile is parsed and validated (a crafted
// file with a valid checksum must not smuggle in a clearance level 999);
// structural faults (duplicate ids or terms, suppliers out of id order, term
// ids outside `vocabulary`) are DataLoss errors. A repeated term comes
// first, then a supplier's own faults, the first in supplier order;
// duplicate ids and ids out of order are found after every supplier is
// read. `vocabulary`'s texts are copied: they need to live only until it
// returns.
absl::StatusOr<std::shared_ptr<const SupplierIndex>> RestoreIndex(
    const std::vector<absl::string_view>& vocabulary, size_t suppliers,
    const ReadStoredSupplier& read, const StoredPostings& stored,
    uint64_t generation, const Options& options);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_INDEX_DATA_H_
