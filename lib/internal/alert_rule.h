// File: lib/internal/alert_rule.h
//
// INTERNAL. The parts of an AlertIndex: a rule compiled once (keywords
// analysed, patterns compiled, the posting keys it is indexed under), a
// notice prepared once per evaluation (codes, places and values per lot,
// text analysed, the keys it looks up), and the exact verification of one
// rule against one notice that both Evaluate() and EvaluateExhaustive() run.
//
// A rule's posting keys are strings with a one-letter kind: "c35613" (CPV
// prefix), "nBE2" (NUTS prefix), "bBE" (buyer country), "snl:luchtvaartu"
// (a term stemmed in a language), "pdrones" (a folded, unstemmed term),
// "xBE:3561" (a buyer country and a CPV prefix, both required);
// AlertPostings files them by kind.
#ifndef PROCMATCH_LIB_INTERNAL_ALERT_RULE_H_
#define PROCMATCH_LIB_INTERNAL_ALERT_RULE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/alert_index.h"
#include "procmatch/internal/prefetch.h"
#include "procmatch/internal/profile_scores.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "re2/re2.h"

namespace procmatch {
namespace internal {

// A keyword or phrase in two forms: stemmed in its language (stopwords
// removed), and folded without stemming. It matches a text in the same
// language by the first form, a text in any language by the second.
struct AlertPhrase {
  std::string text;  // As the rule wrote it.
  std::string language;
  std::vector<std::string> stemmed;
  std::vector<std::string> plain;
  // TermHash of each term: phrases are searched for by hash first.
  std::vector<size_t> stemmed_hashes;
  std::vector<size_t> plain_hashes;
};

// The hash phrases and notice terms are compared by before their text.
size_t TermHash(absl::string_view term);

// RE2's case-folding orbit of `rune`: the runes a case-insensitive literal
// of it matches, itself included ("σ": σ, ς, Σ), found by RE2 itself over
// every rune of the Basic Multilingual Plane, once per rune and process
// (thread-safe). Empty for a rune outside that plane (folding never joins
// one of its runes with another's).
std::vector<char32_t> CaseOrbit(char32_t rune);

// Runes replaced by the least rune of their orbit before atoms are looked
// for, so that an atom of Greek or Cyrillic letters is found whatever the
// case of the text's ("σ" in "...ς").
using RuneFolds = absl::flat_hash_map<char32_t, char32_t>;

// What text a compiled pattern's match needs, from RE2's FilteredRE2:
// its atoms (lower-cased strings) and, for each subset of them, whether
// the pattern can match a text that holds exactly that subset. Checked
// against the notice's text once per candidate, so that a pattern whose
// atoms are absent never runs RE2 -- an exact shortcut: MayMatch() is false
// only when PartialMatch() is. An ASCII atom is searched for whole; so is
// one with other runes of the plane ("σκαφη"), each replaced by the least
// rune of its orbit (as the text's runes are: `rune_folds`), since a text
// the pattern matches holds, where it matches, a rune of the orbit of each
// (RE2 lower-cases an atom's runes within their orbits). Otherwise the
// atom is searched for by its runs of at least three ASCII bytes, which any
// text holding it holds (ASCII bytes fold only to ASCII letters, as
// PrefilterText leaves them), and counts as present when they all are --
// always when it has none: the subsets only ever need more atoms present,
// so counting an atom present is safe. A pattern with no atoms, more than
// kMaxPrefilterAtoms, or whose atoms with nothing to search for may match
// alone always runs.
struct PatternPrefilter {
  static constexpr int kMaxPrefilterAtoms = 6;
  std::vector<std::string> atoms;
  // Per atom, what is searched for: the atom, or its ASCII runs.
  std::vector<std::vector<std::string>> searched;
  uint64_t may_match = ~uint64_t{0};  // Bit s: the atoms of subset s present.
  // The orbits of the runes other than ASCII of the searched atoms: every
  // rune and the least of its orbit.
  std::vector<std::pair<char32_t, char32_t>> rune_folds;
};

PatternPrefilter MakePatternPrefilter(const RE2& pattern);

// `text` as atoms are looked for in it: ASCII letters lower-cased, and the
// runes RE2's case folding equates with an ASCII letter (U+212A KELVIN SIGN,
// U+017F LONG S, U+0130 I WITH DOT ABOVE) replaced by it.
std::string PrefilterText(absl::string_view text);

// `text` with each rune `folds` holds replaced by its value.
std::string FoldRunes(absl::string_view text, const RuneFolds& folds);

// The folding of one rune in a table: at most kMaxBytes bytes of UTF-8;
// size kTooLong when longer (then folded by the function the table was
// made from).
struct FoldedRune {
  static constexpr size_t kMaxBytes = 7;
  static constexpr uint8_t kTooLong = 0xFF;
  uint8_t size = 0;
  char bytes[kMaxBytes] = {};
};

// FoldRunes(PrefilterText(text), folds) in one pass: both map each rune of
// valid UTF-8 on its own, so ASCII is lower-cased, each rune of two bytes
// (U+0080 to U+07FF: accented Latin, Greek, Cyrillic) is looked up in a
// table those two functions made, and longer runes go through them.
// Invalid UTF-8 goes through them whole.
class PrefilterFolds {
 public:
  explicit PrefilterFolds(RuneFolds folds = {});
  const RuneFolds& folds() const { return folds_; }
  std::string Apply(absl::string_view text) const;
  // Apply(text) without checking that `text` is valid UTF-8.
  // REQUIRES: it is (FoldText's output always is).
  std::string ApplyToValid(absl::string_view text) const;
  // Appends Apply(FoldText(text)) to `*out` in one pass over `text`,
  // without making the folded text: FoldText too maps each rune on its
  // own, so the two foldings of a rune are one table entry. The same pass
  // checks that `text` is valid UTF-8: when it is not, `*out` is left as it
  // was and the result is false.
  bool AppendFoldAndApply(absl::string_view text, std::string* out) const;
  size_t ApproximateMemoryUsage() const;

 private:
  // Apply(FoldText(rune)) of one rune of valid UTF-8.
  std::string FoldAndApplyToRune(absl::string_view rune) const;

  RuneFolds folds_;
  std::vector<FoldedRune> two_byte_;  // By rune, from U+0000.
  // Likewise, of FoldText, then the prefilter folding.
  std::vector<FoldedRune> unfolded_two_byte_;
};

// False only when `pattern` cannot match the text that `prefilter_text`
// (FoldRunes(PrefilterText(text), folds) with `folds` holding the
// prefilter's `rune_folds`) was made from.
bool MayMatch(const PatternPrefilter& prefilter,
              absl::string_view prefilter_text);

// The trigrams (three adjacent bytes) of a text, hashed into a bit set in
// one pass, so that the atoms of every pattern a notice meets are looked
// for cheaply: an atom occurs only where each of its trigrams does, so
// MayHold() false proves it absent, without searching the text.
class TextTrigrams {
 public:
  explicit TextTrigrams(absl::string_view text);
  // False only when `atom` does not occur in the text. Atoms shorter than
  // three bytes may always.
  bool MayHold(absl::string_view atom) const;

  // The slots of the trigrams of `text`, appended to `*slots`: MayHold(text)
  // is HasAll of them, so HasAll of any subset of them is true when
  // MayHold(text) is.
  static void AppendSlots(absl::string_view text, std::vector<uint16_t>* slots);
  // Whether every one of the `count` slots from `slots` is set.
  bool HasAll(const uint16_t* slots, size_t count) const;

  // The same trigrams (whatever the texts' lengths), for the twins that
  // compare ways of making them.
  bool operator==(const TextTrigrams& other) const {
    return bits_ == other.bits_;
  }

 private:
  static constexpr int kHashBits = 16;
  static uint32_t Slot(uint32_t trigram);
  std::vector<uint64_t> bits_;
};

// MayMatch(prefilter, prefilter_text), made faster: an atom the text's
// trigrams rule out is not searched for.
bool MayMatch(const PatternPrefilter& prefilter,
              absl::string_view prefilter_text, const TextTrigrams& trigrams);

// A CPV prefix of `digits` digits: the codes whose leading digits, read as
// an 8-digit number padded with zeros, are in [low, high).
struct CpvRange {
  uint32_t low = 0;
  uint32_t high = 0;
  uint32_t digits = 0;
};

// A NUTS prefix or code: its first 8 bytes, big-endian, and its length.
struct PackedNuts {
  uint64_t bytes = 0;
  uint32_t length = 0;
};

struct CompiledAlertRule {
  v1::AlertRule rule;
  // What the rule matches on: the rule serialized without the fields that
  // do not decide a match (id, name, subscriber, disabled). Rules with
  // equal criteria match the same notices with the same evidence, so an
  // index verifies them once.
  std::string criteria;
  std::vector<AlertPhrase> phrases;
  std::vector<std::unique_ptr<RE2>> include_patterns;
  std::vector<std::unique_ptr<RE2>> exclude_patterns;
  // One per include pattern, then one per exclude pattern.
  std::vector<PatternPrefilter> prefilters;
  // The keys of the one required criterion the rule is posted under; empty:
  // checked for every notice.
  std::vector<std::string> index_keys;
  // CPV and NUTS prefixes as the quick-check table holds them.
  std::vector<CpvRange> cpv;
  std::vector<CpvRange> exclude_cpv;
  std::vector<PackedNuts> nuts;
};

// CompiledAlertRule::criteria of `rule`.
std::string CriteriaOf(const v1::AlertRule& rule);

// Compiles a rule that passed validation. InvalidArgument naming the rule
// and field for a keyword with no searchable term.
absl::StatusOr<std::shared_ptr<const CompiledAlertRule>> CompileAlertRule(
    const v1::AlertRule& rule, const Options& options);

// The whole notice (lot == nullptr) or one lot: what CPV, NUTS and value
// criteria are checked against.
struct NoticeUnit {
  const v1::Lot* lot = nullptr;
  std::vector<std::string> cpv;  // 8 digits, no check digit.
  std::vector<std::string> nuts;
  const v1::Money* value = nullptr;
};

struct AnalysedField {
  const char* name;  // "title", "description".
  // The terms, stemmed in the notice's language and folded only; empty when
  // the notice was prepared with postings that give phrase terms their ids
  // (AlertPostings::term_ids): the quick check compares only ids then.
  std::vector<std::string> stemmed;
  std::vector<std::string> plain;
  // Prepared with postings: each term's index in AlertPostings::terms (-1:
  // no rule is posted under it and no phrase has it), from the word memo.
  std::vector<int32_t> stemmed_terms;
  std::vector<int32_t> plain_terms;
  // TermHash of each term, made on first use by a phrase (see FoldedText).
  mutable bool hashed = false;
  mutable std::vector<size_t> stemmed_hashes;
  mutable std::vector<size_t> plain_hashes;
  // For the quick check, made on first use (Identify): each term's id in
  // QuickCheckTable::terms (-1: no rule has it), the first position of
  // each id, and after each position the next one with the same id (-1:
  // none).
  struct Occurrences {
    // The first position of `id` (>= 0) in the field, -1 when absent.
    int32_t First(int32_t id) const {
      for (uint32_t s = Slot(id);; s = (s + 1) & mask) {
        if (firsts[s].id == id) return firsts[s].at;
        if (firsts[s].id < 0) return -1;
      }
    }
    // Where the probe for `id` starts: the high bits of a multiplicative
    // hash.
    uint32_t Slot(int32_t id) const {
      return static_cast<uint32_t>(
          (uint64_t{static_cast<uint32_t>(id)} * 0x9E3779B97F4A7C15u) >> shift);
    }
    // The first position of each id present, open-addressed (linear
    // probing) in a power of two of slots, at least twice as many as the
    // ids, so that probes end soon; an empty slot's id is -1. A notice's
    // field has a few hundred terms: this is a few cache lines, made and
    // read with less work than a general hash map.
    struct FirstAt {
      int32_t id = -1;
      int32_t at = -1;
    };
    std::vector<FirstAt> firsts = std::vector<FirstAt>(2);  // No id.
    uint32_t mask = 1;
    int shift = 63;  // 64 less log2 of the slots.
    std::vector<int32_t> next;
    // Bit id % 1024 of every id in `firsts`: most ids a phrase asks for
    // are absent, and this says so without probing.
    uint64_t may_have[16] = {};
    bool MayHave(int32_t id) const {
      const uint32_t bit = static_cast<uint32_t>(id) & 1023;
      return ((may_have[bit >> 6] >> (bit & 63)) & 1) != 0;
    }
  };
  // `ids_known`: the ids were given by Candidates (a stemmed term is -1
  // unless a phrase of the notice's language has it: only those phrases
  // compare stemmed ids); `identified`: the occurrences are made too.
  mutable bool ids_known = false;
  mutable bool identified = false;
  mutable std::vector<int32_t> stemmed_ids;
  mutable std::vector<int32_t> plain_ids;
  mutable Occurrences stemmed_at;
  mutable Occurrences plain_at;
};

struct AlertPostings;

struct PreparedNotice {
  const v1::Tender* tender = nullptr;
  // The postings the fields' terms were looked up in (AnalysedField::
  // stemmed_terms, plain_terms); nullptr: none.
  const AlertPostings* postings = nullptr;
  std::string language;           // The tender's, else guessed from the title.
  std::vector<NoticeUnit> units;  // [0] is the whole notice.
  AnalysedField fields[2];
  // Title, description and lots folded, for patterns (FoldText of them
  // joined by newlines): the title and description by PrepareNotice, in
  // the pass that analyses them, the lots on first use (`folded`: most
  // notices meet no pattern). A PreparedNotice belongs to one evaluation,
  // on one thread.
  mutable bool folded = false;
  mutable std::string folded_text;
  // The words of the criteria on the notice as a whole, made on first use
  // by an alert (alert_rule.cc: NoticeWords).
  struct Words {
    std::string kind, legal_basis, language, country, deadline;
  };
  mutable bool worded = false;
  mutable Words words;
  // The text atoms are looked for in (NoticeMayMatch) and its trigrams,
  // made on first use.
  mutable bool prefilter_ready = false;
  mutable std::string prefilter_text;
  mutable std::optional<TextTrigrams> trigrams;
  // The tender prepared for the profile rules' Matcher (`profiled_with`),
  // once for all of them, made on first use (alert_rule.cc: ProfileScore).
  mutable const Matcher* profiled_with = nullptr;
  mutable std::unique_ptr<ProfileScores> profile_scores;
};

// FoldText(text), made faster: FoldText maps each code point on its own, so
// ASCII (most of the text) is lower-cased here, each rune of two bytes
// (accented Latin, Greek, Cyrillic) is looked up in a table FoldText made
// once per process, and only longer runes go through it. Invalid UTF-8
// goes through it whole.
std::string FoldTextByRuns(absl::string_view text);

// The folded text of `notice`, made on first use.
const std::string& FoldedText(const PreparedNotice& notice);

// The trigrams of the text atoms are looked for in (below), made on first
// use with that text, in one pass over each piece of the notice's text:
// the title and description from their folded form, the lots (unless
// FoldedText already folded them, or one is not valid UTF-8) from their
// own text, without folding them for FoldedText. `folds` is the same for
// every call on one notice (a quick-check table's).
const TextTrigrams& NoticeTrigrams(const PrefilterFolds& folds,
                                   const PreparedNotice& notice);

// MayMatch(prefilter, folds.Apply(FoldedText(notice))), that text and its
// trigrams made on first use. `folds` holds every rune_folds of
// `prefilter` and is the same for every call on one notice (a quick-check
// table's).
bool NoticeMayMatch(const PatternPrefilter& prefilter,
                    const PrefilterFolds& folds, const PreparedNotice& notice);

// InvalidArgument naming the tender when its text is not valid UTF-8.
// With `postings` (default: none), each term is looked up in them as the
// text is analysed, through the thread's word memo (TermVocabulary), for
// Candidates. REQUIRES: `postings` outlive the notice and do not change.
absl::StatusOr<PreparedNotice> PrepareNotice(
    const v1::Tender& tender, const AlertPostings* postings = nullptr);

// True, with `alert` filled (reasons, lots, title), when every criterion of
// the enabled `rule` holds for `notice`. Errors as AlertIndex::Evaluate.
// REQUIRES: `notice` has its terms (AnalysedField::stemmed, plain).
absl::StatusOr<bool> VerifyAlertRule(const CompiledAlertRule& rule,
                                     const PreparedNotice& notice,
                                     const EvaluationContext& context,
                                     v1::Alert* alert);

// The quick-check table of one generation: what verification needs of
// each rule, in contiguous arrays indexed by the rule's position, so that a
// candidate that fails a criterion never touches its AlertRule proto, and
// one that holds is decided without it unless it has RE2 patterns or a
// profile. Strings (countries, languages, currencies) are replaced by
// symbol ids, CPV prefixes by ranges of 8-digit numbers, NUTS prefixes by
// their bytes packed in an integer, phrase terms by ids (so that a phrase
// is found by comparing integers, exactly, without its text).

// A keyword phrase: its language's symbol and where the ids of its terms
// (stemmed, then unstemmed) are in QuickCheckTable::term_ids; the first
// id of each form is also held here (-1: none), so that a phrase whose
// first term the notice lacks is ruled out without reading the pool.
struct QuickPhrase {
  int32_t language = -1;
  uint32_t terms_begin = 0;
  uint16_t stemmed_count = 0;
  uint16_t plain_count = 0;
  int32_t first_stemmed = -1;
  int32_t first_plain = -1;
};

// A pattern's prefilter as the trigrams of a notice decide it, so that a
// pattern whose atoms are ruled out is decided without its compiled form:
// per atom (at most PatternPrefilter::kMaxPrefilterAtoms) the slots of the
// trigrams of what is searched for (TextTrigrams::AppendSlots; the first
// 255 when there are more, which any text holding the atom holds too) in
// QuickCheckTable::trigram_slots. An atom counts as present when all its
// slots are set; the prefilter's formula only ever needs more atoms
// present, so this is false only when PatternPrefilter's MayMatch is.
struct QuickPattern {
  uint64_t may_match = ~uint64_t{0};  // PatternPrefilter::may_match.
  uint32_t slots_begin = 0;
  uint8_t atoms = 0;     // 0: no prefilter, RE2 always runs.
  bool exclude = false;  // An exclude_patterns entry (after the includes).
  uint8_t slots[PatternPrefilter::kMaxPrefilterAtoms] = {};  // Per atom.
};

// The QuickPattern of `prefilter`, its slots appended to `*slots`.
QuickPattern MakeQuickPattern(const PatternPrefilter& prefilter, bool exclude,
                              std::vector<uint16_t>* slots);

// False only when MayMatch(prefilter, text, trigrams) is, for the prefilter
// `pattern` was made from and the text of `trigrams`; `slots` is where the
// pattern's slots were appended.
bool QuickMayMatch(const QuickPattern& pattern,
                   const std::vector<uint16_t>& slots,
                   const TextTrigrams& trigrams);

// One rule's fixed-size part (32 bytes: two to a cache line); lists are
// [begin, begin + count) ranges of the table's pools.
struct QuickRule {
  enum Flag : uint16_t {
    kDisabled = 1 << 0,
    kDeadlineOpen = 1 << 1,
    kMinValue = 1 << 2,
    kMaxValue = 1 << 3,
    kPatterns = 1 << 4,         // keyword_patterns
    kExcludePatterns = 1 << 5,  // exclude_patterns
    kProfile = 1 << 6,
  };
  uint16_t flags = 0;
  uint8_t kinds = 0;        // Bit per NoticeKind; 0: any.
  uint8_t legal_bases = 0;  // Bit per LegalBasis; 0: any.
  uint16_t countries = 0;   // Counts.
  uint16_t languages = 0;
  uint16_t cpv = 0;
  uint16_t exclude_cpv = 0;
  uint16_t nuts = 0;
  uint16_t phrases = 0;
  uint32_t symbols_begin = 0;  // Countries, then languages.
  uint32_t cpv_begin = 0;      // Includes, then exclusions.
  uint32_t nuts_begin = 0;
  uint32_t phrases_begin = 0;

  bool has_unit_criteria() const {
    return cpv > 0 || exclude_cpv > 0 || nuts > 0 ||
           (flags & (kMinValue | kMaxValue)) != 0;
  }
};

// A rule's value bounds, in their currency's symbol.
struct QuickValue {
  double min = 0;
  double max = 0;
  int32_t currency = -1;
};

// Symbol ids of the strings rules compare by equality.
class Symbols {
 public:
  int32_t Intern(absl::string_view name);
  // -1 when no rule names it (it then equals nothing a rule holds).
  int32_t Find(absl::string_view name) const;
  size_t ApproximateMemoryUsage() const;

 private:
  absl::flat_hash_map<std::string, int32_t> ids_;
};

struct QuickCheckTable {
  std::vector<QuickRule> rules;    // By position.
  std::vector<QuickValue> values;  // By position.
  std::vector<int32_t> symbols;
  std::vector<CpvRange> cpv;
  std::vector<PackedNuts> nuts;
  std::vector<QuickPhrase> phrases;
  std::vector<int32_t> term_ids;
  // The patterns of the rule at position p (includes, then excludes) are
  // patterns[patterns_begin[p], patterns_begin[p + 1]).
  std::vector<uint32_t> patterns_begin;
  std::vector<QuickPattern> patterns;
  std::vector<uint16_t> trigram_slots;
  Symbols names;  // Countries, languages, currencies.
  Symbols terms;  // Every term of every phrase, stemmed and unstemmed.
  PrefilterFolds prefilter_folds;  // The rune_folds of every prefilter.

  size_t ApproximateMemoryUsage() const;
};

// The table of `rules`, in their order.
QuickCheckTable BuildQuickCheckTable(
    const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules);

// What a notice compares with the table, computed once per notice:
// symbols of its country, language and currencies, its codes and places as
// numbers, per unit.
struct NoticeKeys {
  struct Unit {
    uint32_t cpv_begin = 0, cpv_end = 0;  // In `cpv`.
    uint32_t nuts_begin = 0, nuts_end = 0;
    bool has_value = false;
    double amount = 0;
    int32_t currency = -1;
  };
  uint8_t kind = 0;         // The notice kind's bit, 0 when unknown.
  uint8_t legal_basis = 0;  // Likewise.
  int32_t country = -1;
  int32_t language = -1;
  bool deadline_open = false;
  std::vector<CpvRange> cpv;  // low: padded digits; digits: how many.
  std::vector<PackedNuts> nuts;
  std::vector<Unit> units;  // As PreparedNotice::units.
};

NoticeKeys MakeNoticeKeys(const QuickCheckTable& table,
                          const PreparedNotice& notice,
                          const EvaluationContext& context);

// Whether the enabled rule at `position` of `table` and `rules` (in the
// same order: an AlertIndex's slots) holds for `notice`, decided from the
// table (and, only for a rule with patterns or a profile, from its
// compiled form in `rules`), with the evidence the words need in `*match`
// (whose `rule` is set to `position`).
// Errors as AlertIndex::Evaluate.
absl::StatusOr<bool> MatchRule(
    const QuickCheckTable& table,
    const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules,
    uint32_t position, const PreparedNotice& notice, const NoticeKeys& keys,
    const EvaluationContext& context, AlertMatch* match);

// Sorts `keys`, each a rule's position in its high 32 bits (distinct, below
// `rule_count`) and what goes with the rule in its low 32, by rule: a radix
// sort of the rules' bits when there are many. Matches are sorted as such
// keys, then made once each in that order, rather than moved while sorted.
void SortKeysByRule(std::vector<uint64_t>* keys, size_t rule_count);

// Asks the processor to load what MatchRule reads first of the rule at
// `position`: its record, then (`stage` 1, once the record is loaded) the
// pools it points into. Candidates are known ahead, so their cache misses
// can overlap. Inline: it is called twice per candidate.
inline void PrefetchRule(const QuickCheckTable& table, uint32_t position,
                         int stage) {
  const QuickRule& q = table.rules[position];
  if (stage == 0) {
    PrefetchLine(&q);
    return;
  }
  if (q.countries + q.languages > 0) {
    PrefetchLine(table.symbols.data() + q.symbols_begin);
  }
  if (q.cpv + q.exclude_cpv > 0) PrefetchLine(table.cpv.data() + q.cpv_begin);
  if (q.nuts > 0) PrefetchLine(table.nuts.data() + q.nuts_begin);
  if (q.phrases > 0) {
    PrefetchLine(table.phrases.data() + q.phrases_begin);
  }
  if ((q.flags & (QuickRule::kPatterns | QuickRule::kExcludePatterns)) != 0) {
    PrefetchLine(table.patterns_begin.data() + position);
  }
}

// The alert of `match` in words, as VerifyAlertRule writes it.
// `slot` is the rule's index in `table` (which AlertMatch::rule need not be).
void ExplainMatch(const QuickCheckTable& table, uint32_t slot,
                  const CompiledAlertRule& rule, const PreparedNotice& notice,
                  const NoticeKeys& keys, const AlertMatch& match,
                  v1::Alert* alert);

// The postings of one generation: the positions (an AlertIndex's slots)
// of the enabled rules (in ascending order) under each key they are posted
// under, one map per kind of key, so that a notice looks its own values up
// without building keys.
struct AlertPostings {
  using Map = absl::flat_hash_map<std::string, std::vector<uint32_t>>;
  // A term of the notices' text: the rules posted under it and its id in
  // QuickCheckTable::terms when a phrase of a rule has it (-1: none), so
  // that one lookup of a notice's term serves selection and phrases.
  struct Term {
    static constexpr uint32_t kNotOne = ~uint32_t{0};
    // Appends `position` to `positions`, keeping `only` right.
    void Post(uint32_t position) {
      positions.push_back(position);
      only = positions.size() == 1 ? position : kNotOne;
    }
    std::vector<uint32_t> positions;
    int32_t id = -1;
    // positions[0] when it is the only one, else kNotOne: the lookup of a
    // term posted by one rule then gives it without reading the list (a
    // cache miss). Fits the record's padding (32 bytes).
    uint32_t only = kNotOne;
  };
  // A term's index in `terms`.
  using TermMap = absl::flat_hash_map<std::string, uint32_t>;

  // Posts the rule at `position` under `key` ("c3561", "sfr:dron", ...).
  void Add(absl::string_view key, uint32_t position);

  // The term `term` of `map` (plain, or one language's of stemmed), added
  // to `terms` when new.
  Term& TermOf(TermMap* map, absl::string_view term);

  // Gives `plain` and `stemmed` every term of the phrases of `rules` (an
  // AlertIndex's slots) with its id in `table` (made from `rules`): the
  // plain terms, and the stemmed ones under their phrase's language.
  void AddTermIds(
      const QuickCheckTable& table,
      const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules);

  Map cpv;                                            // CPV prefix: "3561".
  Map nuts;                                           // NUTS prefix: "BE2".
  Map countries;                                      // Buyer country: "BE".
  TermMap plain;                                      // Folded term: "drones".
  absl::flat_hash_map<std::string, TermMap> stemmed;  // Language, then stem.
  std::vector<Term> terms;  // Of plain and stemmed, in a dense array.
  // The TermVocabulary owner of the terms' indexes, under which the word
  // memo keeps them: a new one at every change (Add, AddTermIds), so that
  // no index of an earlier state is taken for one of this.
  uint64_t vocabulary = NewTermVocabularyOwner();
  // Buyer country, then CPV prefix: "xBE:3561" (rules that require both).
  absl::flat_hash_map<std::string, Map> cpv_in_country;
  std::vector<uint32_t> always;  // Enabled rules with no index keys.
  uint32_t rule_count = 0;       // Positions are below this.
  // AddTermIds was called: Candidates gives the fields their term ids;
  // without it verification identifies the terms itself.
  bool term_ids = false;
};

// The positions of the rules `notice` is a candidate for, ascending, each
// once: the always-checked rules and those posted under a prefix of one of
// its CPV codes or places (a walk of the code's prefixes), its buyer
// country or one of its terms. The terms PrepareNotice found also give
// each field the ids of its terms (AnalysedField::stemmed_ids, plain_ids),
// from the postings' AddTermIds.
// REQUIRES: `notice` was prepared with `postings` (PrepareNotice).
std::vector<uint32_t> Candidates(const AlertPostings& postings,
                                 const PreparedNotice& notice);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_ALERT_RULE_H_
