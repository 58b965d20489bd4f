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
// (a term stemmed in a language), "pdrones" (a folded, unstemmed term);
// AlertPostings files them by kind.
#ifndef PROCMATCH_LIB_INTERNAL_ALERT_RULE_H_
#define PROCMATCH_LIB_INTERNAL_ALERT_RULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/alert_index.h"
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

struct CompiledAlertRule {
  v1::AlertRule rule;
  std::vector<AlertPhrase> phrases;
  std::vector<std::unique_ptr<RE2>> include_patterns;
  std::vector<std::unique_ptr<RE2>> exclude_patterns;
  // The keys of the one required criterion the rule is posted under; empty:
  // checked for every notice.
  std::vector<std::string> index_keys;
};

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
  const char* name;                  // "title", "description".
  std::vector<std::string> stemmed;  // In the notice's language.
  std::vector<std::string> plain;
  // TermHash of each term, made on first use by a phrase (see FoldedText).
  mutable bool hashed = false;
  mutable std::vector<size_t> stemmed_hashes;
  mutable std::vector<size_t> plain_hashes;
};

struct PreparedNotice {
  const v1::Tender* tender = nullptr;
  std::string language;           // The tender's, else guessed from the title.
  std::vector<NoticeUnit> units;  // [0] is the whole notice.
  AnalysedField fields[2];
  // Title, description and lots folded, for patterns: made on first use
  // (most notices meet no pattern). A PreparedNotice belongs to one
  // evaluation, on one thread.
  mutable bool folded = false;
  mutable std::string folded_text;
};

// The folded text of `notice`, made on first use.
const std::string& FoldedText(const PreparedNotice& notice);

// InvalidArgument naming the tender when its text is not valid UTF-8.
absl::StatusOr<PreparedNotice> PrepareNotice(const v1::Tender& tender);

// True, with `alert` filled (reasons, lots, title), when every criterion of
// the enabled `rule` holds for `notice`. Errors as AlertIndex::Evaluate.
absl::StatusOr<bool> VerifyAlertRule(const CompiledAlertRule& rule,
                                     const PreparedNotice& notice,
                                     const EvaluationContext& context,
                                     v1::Alert* alert);

// The postings of one generation: the positions of the enabled rules (in
// ascending order) under each key they are posted under, one map per kind
// of key, so that a notice looks its own values up without building keys.
struct AlertPostings {
  using Map = absl::flat_hash_map<std::string, std::vector<uint32_t>>;

  // Posts the rule at `position` under `key` ("c3561", "sfr:dron", ...).
  void Add(absl::string_view key, uint32_t position);

  Map cpv;                                        // CPV prefix: "3561".
  Map nuts;                                       // NUTS prefix: "BE2".
  Map countries;                                  // Buyer country: "BE".
  Map plain;                                      // Folded term: "drones".
  absl::flat_hash_map<std::string, Map> stemmed;  // Language, then stem.
  std::vector<uint32_t> always;  // Enabled rules with no index keys.
  uint32_t rule_count = 0;       // Positions are below this.
};

// The positions of the rules `notice` is a candidate for, ascending, each
// once: the always-checked rules and those posted under a prefix of one of
// its CPV codes or places (a walk of the code's prefixes), its buyer
// country or one of its terms.
std::vector<uint32_t> Candidates(const AlertPostings& postings,
                                 const PreparedNotice& notice);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_ALERT_RULE_H_
