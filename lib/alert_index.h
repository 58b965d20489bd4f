// File: lib/alert_index.h
//
// Tender alerts: many saved searches (procmatch.v1.AlertRule) run against
// each new notice, every alert explained in words.
//
// Rules are indexed by what each of them requires, the way Lucene's Monitor
// (Luwak) indexes queries: every rule is posted under the values of one
// criterion it cannot match without -- its CPV prefixes, its NUTS prefixes,
// its buyer countries or one term of each keyword phrase (the longest, as
// the likely rarest) or each (buyer country, CPV prefix) pair when it
// requires both -- and a notice looks up its own values (every 2- to
// 8-digit prefix of each CPV code, alone and with its buyer country, every
// prefix of each place, its buyer country, its analysed terms). Rules with
// none of these go to a short list that every notice checks. Rules whose
// criteria are identical (they differ only in id, name and subscriber)
// share one entry, verified once per notice for all of them. Each candidate
// is then verified exactly against all its criteria; RE2 patterns and
// supplier profiles run only there, a pattern only when the notice holds
// the literals RE2's FilteredRE2 says any match of it contains.
// doc/alerts.md describes the criteria and the design.
//
// Example:
//
//   procmatch::AlertIndex::Builder builder;       // builtin CPV and NUTS
//   for (const procmatch::v1::AlertRule& rule : rules) {
//     absl::Status added = builder.Add(rule);     // names rule and field
//     if (!added.ok()) return added;
//   }
//   absl::StatusOr<std::shared_ptr<const procmatch::AlertIndex>> alerts =
//       std::move(builder).Build();
//   procmatch::EvaluationContext context;
//   context.now = absl::Now();                    // for deadline_open
//   context.matcher = &matcher;                   // for profile rules
//   absl::StatusOr<std::vector<procmatch::v1::Alert>> raised =
//       (*alerts)->Evaluate(tender, context);
//   // raised->at(0).reasons(): "CPV 35613000 is under your 3561", ...
//
// Evaluate() returns exactly what EvaluateExhaustive() -- which verifies
// every rule and is kept as the reference -- returns, in rule id order.
//
// Threading: a built AlertIndex is immutable and safe for concurrent use by
// multiple threads; share it through std::shared_ptr<const AlertIndex>. A
// Builder is not thread-safe: use one per thread.
#ifndef PROCMATCH_LIB_ALERT_INDEX_H_
#define PROCMATCH_LIB_ALERT_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "procmatch/matcher.h"
#include "procmatch/options.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "procmatch/validation.h"

namespace procmatch {

namespace internal {
struct CompiledAlertRule;
struct AlertPostings;
struct QuickCheckTable;
struct PreparedNotice;
struct NoticeKeys;
}  // namespace internal

class AlertIndex;

// What an evaluation needs besides the notice.
struct EvaluationContext {
  // The time `deadline_open` compares submission deadlines with.
  // Default: the Unix epoch, so set it (absl::Now() for a live stream).
  absl::Time now = absl::UnixEpoch();

  // Matches notices against supplier profiles for rules with a `profile`
  // criterion. Default: nullptr; evaluating a notice that such a rule could
  // alert on is then a FailedPrecondition error naming the rule.
  // REQUIRES: when set, outlives the call.
  const Matcher* matcher = nullptr;
};

// Counters of evaluations (added to, so one can sum a stream), for
// benchmarks and monitoring.
struct EvaluationStats {
  // Rules verified exactly; by Match and Evaluate, distinct criteria
  // (AlertIndex::criteria()), which hold or fail for all their rules.
  int64_t candidates = 0;
  int64_t alerts = 0;
  // Wall time in each stage: analysing the notice, selecting the candidate
  // rules (zero for EvaluateExhaustive), verifying them.
  absl::Duration preparing;
  absl::Duration selecting;
  absl::Duration verifying;
  // Wall time making Alert protos with their words from the matches
  // (Evaluate only; zero for Match).
  absl::Duration explaining;
};

// One rule that holds for one notice, with what it held on: enough to write
// the alert's words (AlertMatches::ToAlert) without searching again. Fields
// are -1 when the rule has no such criterion.
struct AlertMatch {
  int32_t rule = -1;  // Position in the index: AlertIndex::rule(rule).
  // The first unit every CPV, NUTS and value criterion holds for: 0 is the
  // whole notice, k its k-th lot (Tender.lots(k - 1)).
  int32_t unit = -1;
  // In that unit, the first CPV code under one of the rule's prefixes, and
  // the first such prefix (index into AlertRule.cpv_prefixes).
  int32_t cpv_code = -1;
  int32_t cpv_prefix = -1;
  // Likewise for places of performance and AlertRule.nuts_prefixes.
  int32_t place = -1;
  int32_t nuts_prefix = -1;
  // The first keyword (AlertRule.keywords) found, its field (0 title,
  // 1 description) and the position of its first term among the field's
  // analysed terms (stemmed when found so, else unstemmed).
  int32_t keyword = -1;
  int32_t field = -1;
  int32_t position = -1;
  int32_t pattern = -1;  // The first AlertRule.keyword_patterns that matched.
  double score = -1;     // A profile rule's score.
};

// The matches of one notice, in rule id order, and their alerts in words
// on demand. Refers to the notice and the index it was made from: both
// must outlive it. Not thread-safe (ToAlert caches the folded text).
class AlertMatches {
 public:
  AlertMatches(AlertMatches&&) noexcept;
  AlertMatches& operator=(AlertMatches&&) noexcept;
  ~AlertMatches();

  int size() const { return static_cast<int>(matches_.size()); }
  const AlertMatch& operator[](int i) const { return matches_[i]; }
  const std::vector<AlertMatch>& matches() const { return matches_; }

  // The alert of match `i`: rule, subscriber, notice, matched lots and one
  // sentence per criterion, exactly as AlertIndex::Evaluate returns it.
  v1::Alert ToAlert(int i) const;

 private:
  friend class AlertIndex;
  AlertMatches();

  const AlertIndex* index_ = nullptr;
  std::unique_ptr<internal::PreparedNotice> notice_;
  std::unique_ptr<internal::NoticeKeys> keys_;
  std::vector<AlertMatch> matches_;
};

class AlertIndex {
 public:
  class Builder {
   public:
    // Validates and compiles with `options` (taxonomies, pattern memory
    // bound), which the built index keeps.
    explicit Builder(Options options = {});
    ~Builder();
    // Holds every compiled rule until Build(): not copyable.
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;

    // Validates and compiles `rule`. On error (an invalid rule, a duplicate
    // id, a keyword with no searchable term, patterns past
    // Options::max_alert_patterns in the index) nothing is added and the
    // status names the rule and the field or bound; the rules already added
    // are kept.
    absl::Status Add(const v1::AlertRule& rule);

    int size() const { return static_cast<int>(rules_.size()); }

    // Builds generation 1. The builder is consumed.
    absl::StatusOr<std::shared_ptr<const AlertIndex>> Build() &&;

   private:
    Options options_;
    Validator validator_;
    int64_t patterns_ = 0;  // RE2 patterns of the rules added.
    absl::flat_hash_map<std::string,
                        std::shared_ptr<const internal::CompiledAlertRule>>
        rules_;
  };

  ~AlertIndex();
  // Immutable and shared by pointer between readers: not copyable.
  AlertIndex(const AlertIndex&) = delete;
  AlertIndex& operator=(const AlertIndex&) = delete;

  // A new generation with `update` applied: upserts replace the rule with
  // the same id or add it, removed ids must exist. Validated first, and the
  // generation's patterns bounded by Options::max_alert_patterns (the error
  // names the first upsert past it); on error nothing is applied. Unchanged
  // rules are shared with this generation; the postings are rebuilt, O(number
  // of rules).
  absl::StatusOr<std::shared_ptr<const AlertIndex>> ApplyUpdate(
      const v1::AlertRuleUpdate& update) const;

  // The enabled rules whose every criterion holds for `notice`, in rule id
  // order, as compact matches: the fast path for a stream, where words are
  // made only for the alerts a caller keeps (AlertMatches::ToAlert).
  // Errors: text that is not valid UTF-8 (names the tender), a profile rule
  // to verify without context.matcher (names the rule), a failing Matcher.
  absl::StatusOr<AlertMatches> Match(const v1::Tender& notice,
                                     const EvaluationContext& context,
                                     EvaluationStats* stats = nullptr) const;

  // One alert per match of Match(), in rule id order, each with its reasons
  // and matched lots. Errors as Match().
  absl::StatusOr<std::vector<v1::Alert>> Evaluate(
      const v1::Tender& notice, const EvaluationContext& context,
      EvaluationStats* stats = nullptr) const;

  // The reference: verifies every enabled rule. Same alerts as Evaluate().
  absl::StatusOr<std::vector<v1::Alert>> EvaluateExhaustive(
      const v1::Tender& notice, const EvaluationContext& context,
      EvaluationStats* stats = nullptr) const;

  int size() const;  // Rules, disabled ones included.
  // The rule at `position` (0 <= position < size(), in id order), as
  // AlertMatch::rule names it.
  const v1::AlertRule& rule(int position) const;
  uint64_t generation() const { return generation_; }
  const Options& options() const { return options_; }
  // The rule with `id`, or nullptr.
  const v1::AlertRule* FindRule(absl::string_view id) const;
  // Rules no criterion could index: every notice verifies them.
  int always_checked() const;
  // Distinct criteria among the enabled rules: rules that differ only in
  // id, name and subscriber share one, which is verified once per notice
  // for all of them.
  int criteria() const;
  // Bytes held by the rules and postings (an estimate), for capacity
  // planning.
  size_t ApproximateMemoryUsage() const;

 private:
  friend class AlertMatches;
  AlertIndex(
      Options options, uint64_t generation,
      std::vector<std::shared_ptr<const internal::CompiledAlertRule>> rules);

  Options options_;
  uint64_t generation_;
  // By rule id; a rule's position is its posting id.
  std::vector<std::shared_ptr<const internal::CompiledAlertRule>> rules_;
  static constexpr uint32_t kNoSlot = ~uint32_t{0};
  // One slot per distinct criteria (CompiledAlertRule::criteria) of the
  // enabled rules, holding the first such rule: the postings and the
  // quick-check table index slots, laid out by their first posting key so
  // that the candidates of one key are adjacent in memory. A slot's
  // members (the positions of its rules, ascending) are
  // members_[members_begin_[slot], members_begin_[slot + 1]); a position's
  // slot is position_slot_[position] (kNoSlot: disabled).
  std::vector<std::shared_ptr<const internal::CompiledAlertRule>> slotted_;
  std::vector<uint32_t> members_begin_;
  std::vector<uint32_t> members_;
  std::vector<uint32_t> position_slot_;
  uint32_t always_checked_ = 0;  // Rules in always-checked slots.
  std::unique_ptr<const internal::AlertPostings> postings_;
  std::unique_ptr<const internal::QuickCheckTable> table_;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_ALERT_INDEX_H_
