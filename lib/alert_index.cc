#include "procmatch/alert_index.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "procmatch/internal/alert_rule.h"
#include "procmatch/internal/prefetch.h"

namespace procmatch {

using internal::AlertPostings;
using internal::CompiledAlertRule;

namespace {

// RE2 patterns `rule` compiles.
int64_t PatternCount(const v1::AlertRule& rule) {
  return rule.keyword_patterns_size() + rule.exclude_patterns_size();
}

// ResourceExhausted naming `rule` when its patterns, added to `before`
// (those of the index's other rules), pass Options::max_alert_patterns;
// InvalidArgument when that bound is negative.
absl::Status CheckPatternTotal(const v1::AlertRule& rule, int64_t before,
                               const Options& options) {
  if (options.max_alert_patterns < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.max_alert_patterns: ", options.max_alert_patterns,
                     " is negative"));
  }
  const int64_t after = before + PatternCount(rule);
  if (PatternCount(rule) == 0 || after <= options.max_alert_patterns) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "alert rule \"", rule.id(),
      "\": keyword_patterns and exclude_patterns: its ", PatternCount(rule),
      " patterns would make ", after, " in the index; at most ",
      options.max_alert_patterns, " (max_alert_patterns)"));
}

}  // namespace

AlertIndex::Builder::Builder(Options options)
    : options_(options), validator_(options_) {}

AlertIndex::Builder::~Builder() = default;

absl::Status AlertIndex::Builder::Add(const v1::AlertRule& rule) {
  absl::Status valid = validator_.ValidateAlertRule(rule);
  if (!valid.ok()) return valid;
  if (rules_.contains(rule.id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("alert rule \"", rule.id(), "\": id: given twice"));
  }
  absl::Status bounded = CheckPatternTotal(rule, patterns_, options_);
  if (!bounded.ok()) return bounded;
  absl::StatusOr<std::shared_ptr<const CompiledAlertRule>> compiled =
      internal::CompileAlertRule(rule, options_);
  if (!compiled.ok()) return compiled.status();
  rules_.emplace(rule.id(), *std::move(compiled));
  patterns_ += PatternCount(rule);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const AlertIndex>>
AlertIndex::Builder::Build() && {
  std::vector<std::shared_ptr<const CompiledAlertRule>> rules;
  rules.reserve(rules_.size());
  for (auto& [id, rule] : rules_) rules.push_back(std::move(rule));
  rules_.clear();
  return std::shared_ptr<const AlertIndex>(
      new AlertIndex(options_, 1, std::move(rules)));
}

AlertIndex::AlertIndex(
    Options options, uint64_t generation,
    std::vector<std::shared_ptr<const CompiledAlertRule>> rules)
    : options_(options), generation_(generation), rules_(std::move(rules)) {
  std::sort(rules_.begin(), rules_.end(), [](const auto& a, const auto& b) {
    return a->rule.id() < b->rule.id();
  });
  // Criteria: the enabled rules with the same criteria share one slot,
  // verified once per notice for all of them (its members, ascending
  // positions). Disabled rules have no slot: they never alert.
  const uint32_t count = static_cast<uint32_t>(rules_.size());
  position_slot_.assign(count, kNoSlot);
  std::vector<uint32_t> first;        // Per criteria, its first position.
  std::vector<uint32_t> criteria_of;  // Per enabled rule, its criteria.
  {
    absl::flat_hash_map<absl::string_view, uint32_t> seen;
    seen.reserve(count);
    criteria_of.assign(count, kNoSlot);
    for (uint32_t i = 0; i < count; ++i) {
      if (rules_[i]->rule.disabled()) continue;
      auto [it, added] = seen.try_emplace(rules_[i]->criteria,
                                          static_cast<uint32_t>(first.size()));
      if (added) first.push_back(i);
      criteria_of[i] = it->second;
    }
  }
  // Slots: the criteria by their first posting key (then first position),
  // so that the candidates of one key are adjacent in the table and its
  // pools; criteria without keys last.
  const uint32_t slots = static_cast<uint32_t>(first.size());
  std::vector<uint32_t> slot_criteria(slots);
  for (uint32_t c = 0; c < slots; ++c) slot_criteria[c] = c;
  auto first_key = [&](uint32_t c) -> absl::string_view {
    const CompiledAlertRule& r = *rules_[first[c]];
    return r.index_keys.empty()
               ? absl::string_view("\xff")  // After every key's kind letter.
               : absl::string_view(r.index_keys[0]);
  };
  std::stable_sort(
      slot_criteria.begin(), slot_criteria.end(),
      [&](uint32_t a, uint32_t b) { return first_key(a) < first_key(b); });
  std::vector<uint32_t> criteria_slot(slots);
  slotted_.reserve(slots);
  for (uint32_t s = 0; s < slots; ++s) {
    criteria_slot[slot_criteria[s]] = s;
    slotted_.push_back(rules_[first[slot_criteria[s]]]);
  }
  // The members of each slot, by a counting sort of the positions.
  members_begin_.assign(slots + 1, 0);
  for (uint32_t i = 0; i < count; ++i) {
    if (criteria_of[i] == kNoSlot) continue;
    position_slot_[i] = criteria_slot[criteria_of[i]];
    ++members_begin_[position_slot_[i] + 1];
  }
  for (uint32_t s = 0; s < slots; ++s) {
    members_begin_[s + 1] += members_begin_[s];
  }
  members_.resize(members_begin_[slots]);
  {
    std::vector<uint32_t> next(members_begin_.begin(),
                               members_begin_.end() - 1);
    for (uint32_t i = 0; i < count; ++i) {
      if (position_slot_[i] != kNoSlot) members_[next[position_slot_[i]]++] = i;
    }
  }
  auto postings = std::make_unique<AlertPostings>();
  postings->rule_count = slots;
  for (uint32_t s = 0; s < slots; ++s) {
    const CompiledAlertRule& r = *slotted_[s];
    if (r.index_keys.empty()) {
      postings->always.push_back(s);
      always_checked_ += members_begin_[s + 1] - members_begin_[s];
      continue;
    }
    for (const std::string& key : r.index_keys) postings->Add(key, s);
  }
  table_ = std::make_unique<const internal::QuickCheckTable>(
      internal::BuildQuickCheckTable(slotted_));
  postings->AddTermIds(*table_, slotted_);
  postings_ = std::move(postings);
}

AlertIndex::~AlertIndex() = default;

absl::StatusOr<std::shared_ptr<const AlertIndex>> AlertIndex::ApplyUpdate(
    const v1::AlertRuleUpdate& update) const {
  Validator validator(options_);
  absl::Status valid = validator.ValidateAlertRuleUpdate(update);
  if (!valid.ok()) return valid;
  absl::flat_hash_set<std::string> removed;
  for (const std::string& id : update.removed_ids()) {
    if (FindRule(id) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("alert rule update: removed_ids: no rule \"", id, "\""));
    }
    removed.insert(id);
  }
  for (const v1::AlertRule& rule : update.upserts()) removed.insert(rule.id());
  std::vector<std::shared_ptr<const CompiledAlertRule>> rules;
  rules.reserve(rules_.size() + update.upserts_size());
  int64_t patterns = 0;
  for (const auto& r : rules_) {
    if (removed.contains(r->rule.id())) continue;
    rules.push_back(r);
    patterns += PatternCount(r->rule);
  }
  // Bounded before any upsert is compiled.
  for (const v1::AlertRule& rule : update.upserts()) {
    absl::Status bounded = CheckPatternTotal(rule, patterns, options_);
    if (!bounded.ok()) return bounded;
    patterns += PatternCount(rule);
  }
  for (const v1::AlertRule& rule : update.upserts()) {
    absl::StatusOr<std::shared_ptr<const CompiledAlertRule>> compiled =
        internal::CompileAlertRule(rule, options_);
    if (!compiled.ok()) return compiled.status();
    rules.push_back(*std::move(compiled));
  }
  return std::shared_ptr<const AlertIndex>(
      new AlertIndex(options_, generation_ + 1, std::move(rules)));
}

namespace {

// The alerts of the rules at `candidates` (ascending positions), verified
// exactly: the one path both evaluations share.
absl::StatusOr<std::vector<v1::Alert>> VerifyCandidates(
    const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules,
    const std::vector<uint32_t>& candidates,
    const internal::PreparedNotice& notice, const EvaluationContext& context,
    EvaluationStats* stats) {
  std::vector<v1::Alert> alerts;
  v1::Alert alert;
  for (uint32_t i : candidates) {
    absl::StatusOr<bool> hit =
        internal::VerifyAlertRule(*rules[i], notice, context, &alert);
    if (!hit.ok()) return hit.status();
    if (*hit) alerts.push_back(std::move(alert));
    alert.Clear();
  }
  if (stats != nullptr) {
    stats->candidates += static_cast<int64_t>(candidates.size());
    stats->alerts += static_cast<int64_t>(alerts.size());
  }
  return alerts;
}

// Adds the time since `*since` to `*stage` and restarts it, when counting.
void Lap(absl::Time* since, absl::Duration* stage) {
  if (stage == nullptr) return;
  const absl::Time now = absl::Now();
  *stage += now - *since;
  *since = now;
}

}  // namespace

AlertMatches::AlertMatches() = default;
AlertMatches::AlertMatches(AlertMatches&&) noexcept = default;
AlertMatches& AlertMatches::operator=(AlertMatches&&) noexcept = default;
AlertMatches::~AlertMatches() = default;

v1::Alert AlertMatches::ToAlert(int i) const {
  const AlertMatch& match = matches_[i];
  v1::Alert alert;
  internal::ExplainMatch(*index_->table_, index_->position_slot_[match.rule],
                         *index_->rules_[match.rule], *notice_, *keys_, match,
                         &alert);
  return alert;
}

absl::StatusOr<AlertMatches> AlertIndex::Match(const v1::Tender& notice,
                                               const EvaluationContext& context,
                                               EvaluationStats* stats) const {
  absl::Time since = stats != nullptr ? absl::Now() : absl::InfinitePast();
  absl::StatusOr<internal::PreparedNotice> prepared =
      internal::PrepareNotice(notice, postings_.get());
  if (!prepared.ok()) return prepared.status();
  AlertMatches out;
  out.index_ = this;
  out.notice_ =
      std::make_unique<internal::PreparedNotice>(*std::move(prepared));
  out.keys_ = std::make_unique<internal::NoticeKeys>(
      internal::MakeNoticeKeys(*table_, *out.notice_, context));
  Lap(&since, stats != nullptr ? &stats->preparing : nullptr);
  // Candidates are slots, ascending: the candidates of one posting key come
  // together, from adjacent records.
  const std::vector<uint32_t> candidates =
      internal::Candidates(*postings_, *out.notice_);
  Lap(&since, stats != nullptr ? &stats->selecting : nullptr);
  // The evidence of each slot that holds, and per rule of those slots its
  // position (high 32 bits) and its slot's evidence (low 32).
  std::vector<AlertMatch> held;
  std::vector<uint64_t> rule_keys;
  held.reserve(candidates.size());
  rule_keys.reserve(2 * candidates.size());
  AlertMatch match;
  // Candidates are scattered over the table: load them ahead, the record
  // and the bounds of its members 16 candidates before its turn, what they
  // point to 8 before.
  constexpr size_t kRecordsAhead = 16, kPoolsAhead = 8;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (k + kRecordsAhead < candidates.size()) {
      const uint32_t ahead = candidates[k + kRecordsAhead];
      internal::PrefetchRule(*table_, ahead, 0);
      internal::PrefetchLine(&members_begin_[ahead]);
    }
    if (k + kPoolsAhead < candidates.size()) {
      const uint32_t ahead = candidates[k + kPoolsAhead];
      internal::PrefetchRule(*table_, ahead, 1);
      internal::PrefetchLine(members_.data() + members_begin_[ahead]);
    }
    const uint32_t slot = candidates[k];
    absl::StatusOr<bool> hit = internal::MatchRule(
        *table_, slotted_, slot, *out.notice_, *out.keys_, context, &match);
    if (!hit.ok()) return hit.status();
    if (*hit) {
      // Every rule with these criteria, on the same evidence.
      for (uint32_t m = members_begin_[slot]; m < members_begin_[slot + 1];
           ++m) {
        rule_keys.push_back(uint64_t{members_[m]} << 32 | held.size());
      }
      held.push_back(match);
    }
  }
  // In rule id order.
  internal::SortKeysByRule(&rule_keys, rules_.size());
  out.matches_.reserve(rule_keys.size());
  for (uint64_t key : rule_keys) {
    out.matches_.push_back(held[key & 0xFFFFFFFFu]);
    out.matches_.back().rule = static_cast<int32_t>(key >> 32);
  }
  if (stats != nullptr) {
    stats->candidates += static_cast<int64_t>(candidates.size());
    stats->alerts += static_cast<int64_t>(out.matches_.size());
  }
  Lap(&since, stats != nullptr ? &stats->verifying : nullptr);
  return out;
}

absl::StatusOr<std::vector<v1::Alert>> AlertIndex::Evaluate(
    const v1::Tender& notice, const EvaluationContext& context,
    EvaluationStats* stats) const {
  absl::StatusOr<AlertMatches> matches = Match(notice, context, stats);
  if (!matches.ok()) return matches.status();
  absl::Time since = stats != nullptr ? absl::Now() : absl::InfinitePast();
  std::vector<v1::Alert> alerts;
  alerts.reserve(matches->size());
  // The rules of the matches are scattered: load each rule's proto 8
  // matches ahead (its address needs no load), then 4 ahead, once it is in
  // cache, the strings it points to.
  constexpr int kRecordsAhead = 8, kStringsAhead = 4;
  for (int i = 0; i < matches->size(); ++i) {
    if (i + kRecordsAhead < matches->size()) {
      const char* rule = reinterpret_cast<const char*>(
          &rules_[(*matches)[i + kRecordsAhead].rule]->rule);
      internal::PrefetchBytes(rule, 4 * internal::kCacheLineBytes);
    }
    if (i + kStringsAhead < matches->size()) {
      const v1::AlertRule& rule =
          rules_[(*matches)[i + kStringsAhead].rule]->rule;
      internal::PrefetchLine(rule.id().data());
      internal::PrefetchLine(rule.subscriber().data());
    }
    // Written in place, as ToAlert writes it.
    const AlertMatch& match = (*matches)[i];
    internal::ExplainMatch(*table_, position_slot_[match.rule],
                           *rules_[match.rule], *matches->notice_,
                           *matches->keys_, match, &alerts.emplace_back());
  }
  Lap(&since, stats != nullptr ? &stats->explaining : nullptr);
  return alerts;
}

absl::StatusOr<std::vector<v1::Alert>> AlertIndex::EvaluateExhaustive(
    const v1::Tender& notice, const EvaluationContext& context,
    EvaluationStats* stats) const {
  absl::Time since = stats != nullptr ? absl::Now() : absl::InfinitePast();
  absl::StatusOr<internal::PreparedNotice> prepared =
      internal::PrepareNotice(notice);
  if (!prepared.ok()) return prepared.status();
  Lap(&since, stats != nullptr ? &stats->preparing : nullptr);
  std::vector<uint32_t> every(rules_.size());
  for (uint32_t i = 0; i < every.size(); ++i) every[i] = i;
  absl::StatusOr<std::vector<v1::Alert>> alerts =
      VerifyCandidates(rules_, every, *prepared, context, stats);
  Lap(&since, stats != nullptr ? &stats->verifying : nullptr);
  return alerts;
}

int AlertIndex::size() const { return static_cast<int>(rules_.size()); }

const v1::AlertRule& AlertIndex::rule(int position) const {
  return rules_[position]->rule;
}

int AlertIndex::always_checked() const {
  return static_cast<int>(always_checked_);
}

int AlertIndex::criteria() const { return static_cast<int>(slotted_.size()); }

const v1::AlertRule* AlertIndex::FindRule(absl::string_view id) const {
  auto it = std::lower_bound(
      rules_.begin(), rules_.end(), id,
      [](const auto& r, absl::string_view key) { return r->rule.id() < key; });
  if (it == rules_.end() || (*it)->rule.id() != id) return nullptr;
  return &(*it)->rule;
}

size_t AlertIndex::ApproximateMemoryUsage() const {
  size_t bytes = (rules_.capacity() + slotted_.capacity()) * sizeof(rules_[0]) +
                 (members_begin_.capacity() + members_.capacity() +
                  position_slot_.capacity()) *
                     sizeof(uint32_t);
  for (const auto& r : rules_) {
    bytes += sizeof(CompiledAlertRule) + r->rule.SpaceUsedLong() +
             r->criteria.capacity();
    for (const auto& p : r->phrases) {
      bytes += sizeof(p) + p.text.capacity();
      for (const auto& t : p.stemmed) bytes += sizeof(t) + t.capacity();
      for (const auto& t : p.plain) bytes += sizeof(t) + t.capacity();
      bytes += (p.stemmed_hashes.capacity() + p.plain_hashes.capacity()) *
               sizeof(size_t);
    }
    // RE2 keeps its compiled programs within the pattern memory budget;
    // count a typical small program.
    bytes += (r->include_patterns.size() + r->exclude_patterns.size()) * 4096;
    for (const auto& f : r->prefilters) {
      bytes += sizeof(f);
      for (const auto& a : f.atoms) bytes += sizeof(a) + a.capacity();
      bytes += f.rune_folds.capacity() * sizeof(f.rune_folds[0]);
      for (const auto& pieces : f.searched) {
        bytes += sizeof(pieces);
        for (const auto& p : pieces) bytes += sizeof(p) + p.capacity();
      }
    }
    for (const auto& k : r->index_keys) bytes += sizeof(k) + k.capacity();
    bytes += (r->cpv.capacity() + r->exclude_cpv.capacity()) *
                 sizeof(internal::CpvRange) +
             r->nuts.capacity() * sizeof(internal::PackedNuts);
  }
  // A map's entries, and for a posting list its positions.
  auto map_bytes = [](const auto& map) {
    size_t sum = 0;
    for (const auto& [key, entry] : map) {
      sum += sizeof(key) + key.capacity() + sizeof(entry) + 16;
    }
    return sum;
  };
  auto list_bytes = [](const std::vector<uint32_t>& positions) {
    return positions.capacity() * sizeof(uint32_t);
  };
  auto lists_bytes = [&](const AlertPostings::Map& map) {
    size_t sum = map_bytes(map);
    for (const auto& [key, positions] : map) sum += list_bytes(positions);
    return sum;
  };
  const AlertPostings& p = *postings_;
  bytes += lists_bytes(p.cpv) + lists_bytes(p.nuts) + lists_bytes(p.countries) +
           map_bytes(p.plain);
  for (const auto& [language, map] : p.stemmed) bytes += map_bytes(map);
  bytes += p.terms.capacity() * sizeof(AlertPostings::Term);
  for (const AlertPostings::Term& t : p.terms) bytes += list_bytes(t.positions);
  for (const auto& [country, map] : p.cpv_in_country) {
    bytes += lists_bytes(map);
  }
  bytes += postings_->always.capacity() * sizeof(uint32_t);
  bytes += table_->ApproximateMemoryUsage();
  return bytes;
}

}  // namespace procmatch
