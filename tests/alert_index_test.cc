// AlertIndex: the indexed evaluation against its exhaustive twin on random
// rules drawn from the 1,745 real TED notices of data/ted/notices_dev.jsonl,
// then one test per criterion kind with its reasons.
#include "procmatch/alert_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/internal/alert_rule.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/internal/profile_scores.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/supplier_index.h"
#include "procmatch/ted_importer.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  return content.value_or("");
}

// The real notices; every other one gets a submission deadline 0-59 days
// after publication, so that deadline_open has something to decide.
const std::vector<v1::Tender>& RealNotices() {
  static const auto* notices = [] {
    auto* out = new std::vector<v1::Tender>;
    int line = 0;
    for (absl::string_view text :
         absl::StrSplit(Read("data/ted/notices_dev.jsonl"), '\n')) {
      if (text.empty()) continue;
      absl::StatusOr<ImportedNotice> n = ImportTedReducedJson(
          absl::StrCat("notices_dev.jsonl:", ++line), text);
      EXPECT_TRUE(n.ok()) << n.status();
      if (!n.ok()) continue;
      v1::Tender t = std::move(n->tender);
      if (line % 2 == 0) {
        t.mutable_submission_deadline()->set_seconds(t.published().seconds() +
                                                     (line % 60) * 86400);
      }
      out->push_back(std::move(t));
    }
    return out;
  }();
  return *notices;
}

// Values of real notices to draw rules from.
struct Vocabulary {
  std::vector<std::string> cpv, nuts, countries, languages, words, phrases;
};

const Vocabulary& RealVocabulary() {
  static const Vocabulary* v = [] {
    std::set<std::string> cpv, nuts, countries, languages, words, phrases;
    for (const v1::Tender& t : RealNotices()) {
      if (!t.main_cpv().empty()) cpv.insert(t.main_cpv().substr(0, 8));
      for (const auto& c : t.additional_cpv()) cpv.insert(c.substr(0, 8));
      for (const auto& n : t.nuts_codes()) nuts.insert(n);
      if (!t.buyer().country().empty()) countries.insert(t.buyer().country());
      if (!t.language().empty()) languages.insert(t.language());
      std::vector<std::string> raw = absl::StrSplit(
          t.title(), absl::ByAnyChar(" ,.;:()/'\"-"), absl::SkipEmpty());
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i].size() < 4) continue;
        words.insert(raw[i]);
        if (i + 1 < raw.size() && raw[i + 1].size() >= 4) {
          phrases.insert(absl::StrCat(raw[i], " ", raw[i + 1]));
        }
      }
    }
    auto* out = new Vocabulary;
    out->cpv.assign(cpv.begin(), cpv.end());
    out->nuts.assign(nuts.begin(), nuts.end());
    out->countries.assign(countries.begin(), countries.end());
    out->languages.assign(languages.begin(), languages.end());
    out->words.assign(words.begin(), words.end());
    out->phrases.assign(phrases.begin(), phrases.end());
    return out;
  }();
  return *v;
}

// A random rule of 1-3 criteria drawn from the real values.
v1::AlertRule RandomRule(std::mt19937& rng, int id) {
  const Vocabulary& v = RealVocabulary();
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  auto chance = [&](double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
  };
  v1::AlertRule r;
  r.set_id(absl::StrCat("rule-", id));
  r.set_subscriber(absl::StrCat("subscriber-", id % 97));
  const int criteria = 1 + static_cast<int>(rng() % 3);
  for (int c = 0; c < criteria; ++c) {
    switch (rng() % 12) {
      case 0:
      case 1:
      case 2:
        for (int i = 0, n = 1 + rng() % 3; i < n; ++i) {
          r.add_cpv_prefixes(pick(v.cpv).substr(0, 2 + rng() % 7));
        }
        break;
      case 3:
        r.add_nuts_prefixes(pick(v.nuts).substr(0, 2 + rng() % 3));
        break;
      case 4:
        r.add_buyer_countries(pick(v.countries));
        break;
      case 5:
      case 6:
        for (int i = 0, n = 1 + rng() % 2; i < n; ++i) {
          r.add_keywords(chance(0.3) ? pick(v.phrases) : pick(v.words));
        }
        if (chance(0.5)) r.set_keyword_language(pick(v.languages));
        break;
      case 7:
        r.add_notice_kinds(static_cast<v1::NoticeKind>(1 + rng() % 4));
        r.add_legal_bases(static_cast<v1::LegalBasis>(1 + rng() % 7));
        break;
      case 8:
        r.add_languages(pick(v.languages));
        r.set_deadline_open(chance(0.5));
        break;
      case 9:
        r.mutable_min_value()->set_amount(std::pow(10, 4 + rng() % 3));
        r.mutable_min_value()->set_currency("EUR");
        if (chance(0.5)) {
          r.mutable_max_value()->set_amount(std::pow(10, 7 + rng() % 2));
          r.mutable_max_value()->set_currency("EUR");
        }
        break;
      case 10:
        r.add_keyword_patterns(
            absl::StrCat("\\b", absl::AsciiStrToLower(pick(v.words))));
        if (chance(0.3)) {
          r.add_exclude_patterns(absl::AsciiStrToLower(pick(v.words)));
        }
        break;
      case 11:
        r.add_exclude_cpv_prefixes(pick(v.cpv).substr(0, 2 + rng() % 3));
        break;
    }
  }
  r.set_disabled(chance(0.02));
  return r;
}

std::vector<std::string> Serialized(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> out;
  for (const v1::Alert& a : alerts) out.push_back(a.ShortDebugString());
  return out;
}

EvaluationContext At2021() {
  EvaluationContext context;
  context.now =
      absl::FromCivil(absl::CivilDay(2021, 6, 1), absl::UTCTimeZone());
  return context;
}

TEST(AlertIndexOracle, IndexedEqualsExhaustiveOnRealNotices) {
  ASSERT_EQ(RealNotices().size(), 1745u);
  std::mt19937 rng(20260611);
  AlertIndex::Builder builder;
  std::vector<v1::AlertRule> accepted;
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    v1::AlertRule r = RandomRule(rng, i);
    absl::Status s = builder.Add(r);
    if (s.ok()) {
      accepted.push_back(r);
    } else {
      ++refused;  // e.g. a keyword of stopwords only.
      if (refused <= 5) std::cerr << s << "\n";
    }
  }
  EXPECT_LT(refused, 30);
  absl::StatusOr<std::shared_ptr<const AlertIndex>> index =
      std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_LT((*index)->always_checked(), (*index)->size() / 4);

  const EvaluationContext context = At2021();
  EvaluationStats indexed, exhaustive;
  for (const v1::Tender& t : RealNotices()) {
    absl::StatusOr<std::vector<v1::Alert>> fast =
        (*index)->Evaluate(t, context, &indexed);
    absl::StatusOr<std::vector<v1::Alert>> slow =
        (*index)->EvaluateExhaustive(t, context, &exhaustive);
    ASSERT_TRUE(fast.ok() && slow.ok()) << t.id();
    ASSERT_EQ(Serialized(*fast), Serialized(*slow)) << t.id();
    // The structured matches name the same rules, and each explains
    // itself in the same words.
    absl::StatusOr<AlertMatches> matches = (*index)->Match(t, context);
    ASSERT_TRUE(matches.ok()) << t.id();
    ASSERT_EQ(matches->size(), static_cast<int>(slow->size())) << t.id();
    for (int i = 0; i < matches->size(); ++i) {
      ASSERT_EQ((*index)->rule((*matches)[i].rule).id(), (*slow)[i].rule_id());
      ASSERT_EQ(matches->ToAlert(i).ShortDebugString(),
                (*slow)[i].ShortDebugString());
    }
  }
  EXPECT_EQ(indexed.alerts, exhaustive.alerts);
  EXPECT_GT(indexed.alerts, 2000);  // The rules do match real notices.
  EXPECT_LT(indexed.candidates * 3, exhaustive.candidates);

  // A new generation equals a fresh build of the same rules.
  v1::AlertRuleUpdate update;
  std::vector<v1::AlertRule> after;
  for (size_t i = 0; i < accepted.size(); ++i) {
    if (i % 7 == 0) {
      update.add_removed_ids(accepted[i].id());
    } else if (i % 7 == 1) {
      v1::AlertRule changed = RandomRule(rng, 100000 + i);
      changed.set_id(accepted[i].id());
      if (!Validator().ValidateAlertRule(changed).ok()) {
        after.push_back(accepted[i]);
        continue;
      }
      *update.add_upserts() = changed;
      after.push_back(changed);
    } else {
      after.push_back(accepted[i]);
    }
  }
  absl::StatusOr<std::shared_ptr<const AlertIndex>> next =
      (*index)->ApplyUpdate(update);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ((*next)->generation(), 2u);
  AlertIndex::Builder fresh_builder;
  for (const v1::AlertRule& r : after) {
    absl::Status added = fresh_builder.Add(r);
    if (!added.ok()) {
      // Refused in the update too; such rules must not be in `next`.
      EXPECT_EQ((*next)->FindRule(r.id()), nullptr);
    }
  }
  auto fresh = std::move(fresh_builder).Build();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*next)->size(), (*fresh)->size());
  for (size_t i = 0; i < RealNotices().size(); i += 5) {
    const v1::Tender& t = RealNotices()[i];
    EXPECT_EQ(Serialized(*(*next)->Evaluate(t, context)),
              Serialized(*(*fresh)->EvaluateExhaustive(t, context)))
        << t.id();
  }
}

// Distinct criteria of the enabled `rules`, counted by their text without
// the fields that do not decide a match.
int DistinctCriteria(const std::vector<v1::AlertRule>& rules) {
  std::set<std::string> criteria;
  for (v1::AlertRule r : rules) {
    if (r.disabled()) continue;
    r.clear_id();
    r.clear_name();
    r.clear_subscriber();
    criteria.insert(r.ShortDebugString());
  }
  return static_cast<int>(criteria.size());
}

// Rules that share their criteria (copies of one random rule under other
// ids, names and subscribers, some disabled, some with a list reordered)
// are verified once per notice and alert each: the index equals checking
// every rule on its own, also after generations that remove, disable and
// change some copies.
TEST(AlertIndexCriteria, SharedCriteriaAlertEveryRule) {
  std::mt19937 rng(20261130);
  std::vector<v1::AlertRule> rules;
  for (int base = 0; base < 500; ++base) {
    const v1::AlertRule r = RandomRule(rng, base);
    if (!Validator().ValidateAlertRule(r).ok()) continue;
    for (int copy = 0, copies = 1 + rng() % 4; copy < copies; ++copy) {
      v1::AlertRule c = r;
      c.set_id(absl::StrCat("rule-", base, "-", copy));
      c.set_name(absl::StrCat("name ", rng() % 3));
      c.set_subscriber(absl::StrCat("subscriber-", rng() % 50));
      c.set_disabled(rng() % 10 == 0);
      if (copy == 3 && c.cpv_prefixes_size() > 1) {
        std::reverse(c.mutable_cpv_prefixes()->begin(),
                     c.mutable_cpv_prefixes()->end());
      }
      rules.push_back(c);
    }
  }
  AlertIndex::Builder builder;
  for (const v1::AlertRule& r : rules)
    ASSERT_TRUE(builder.Add(r).ok()) << r.id();
  absl::StatusOr<std::shared_ptr<const AlertIndex>> index =
      std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ((*index)->criteria(), DistinctCriteria(rules));
  EXPECT_LT((*index)->criteria() * 3, (*index)->size() * 2);  // Shared.

  const EvaluationContext context = At2021();
  auto expect_equal = [&](const AlertIndex& index, int* alerts) {
    for (size_t i = 0; i < RealNotices().size(); i += 2) {
      const v1::Tender& t = RealNotices()[i];
      absl::StatusOr<std::vector<v1::Alert>> fast = index.Evaluate(t, context);
      absl::StatusOr<std::vector<v1::Alert>> slow =
          index.EvaluateExhaustive(t, context);
      ASSERT_TRUE(fast.ok() && slow.ok()) << t.id();
      ASSERT_EQ(Serialized(*fast), Serialized(*slow)) << t.id();
      absl::StatusOr<AlertMatches> matches = index.Match(t, context);
      ASSERT_TRUE(matches.ok()) << t.id();
      ASSERT_EQ(matches->size(), static_cast<int>(slow->size())) << t.id();
      for (int k = 0; k < matches->size(); ++k) {
        ASSERT_EQ(matches->ToAlert(k).ShortDebugString(),
                  (*slow)[k].ShortDebugString());
      }
      *alerts += static_cast<int>(slow->size());
    }
  };
  int alerts = 0;
  expect_equal(**index, &alerts);
  EXPECT_GT(alerts, 1000);

  // A generation: every fifth copy removed, every fifth (another) disabled,
  // every fifth (another) given other criteria; the others unchanged.
  v1::AlertRuleUpdate update;
  std::vector<v1::AlertRule> after;
  for (size_t i = 0; i < rules.size(); ++i) {
    v1::AlertRule r = rules[i];
    if (i % 5 == 0) {
      update.add_removed_ids(r.id());
      continue;
    }
    if (i % 5 == 1) {
      r.set_disabled(true);
      *update.add_upserts() = r;
    } else if (i % 5 == 2) {
      v1::AlertRule changed = RandomRule(rng, 100000 + static_cast<int>(i));
      changed.set_id(r.id());
      if (Validator().ValidateAlertRule(changed).ok()) {
        r = changed;
        *update.add_upserts() = r;
      }
    }
    after.push_back(r);
  }
  absl::StatusOr<std::shared_ptr<const AlertIndex>> next =
      (*index)->ApplyUpdate(update);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ((*next)->size(), static_cast<int>(after.size()));
  EXPECT_EQ((*next)->criteria(), DistinctCriteria(after));
  alerts = 0;
  expect_equal(**next, &alerts);
  EXPECT_GT(alerts, 500);
}

// The quick-check table against the full verification of the compiled
// rule (its brute-force twin), for every rule -- not only the candidates the
// postings give -- on every third real notice: the same decision, and for a
// rule that holds the same alert from the match's evidence. Twice: with the
// term ids of the table's symbols, and with those selection gives
// (Candidates, from postings with AddTermIds), as AlertIndex::Match has.
void ExpectTableEqualsVerification(
    const std::vector<std::shared_ptr<const internal::CompiledAlertRule>>&
        rules,
    const std::vector<v1::Tender>& notices, const EvaluationContext& context,
    int* held) {
  const internal::QuickCheckTable table = internal::BuildQuickCheckTable(rules);
  internal::AlertPostings postings;
  postings.rule_count = static_cast<uint32_t>(rules.size());
  for (uint32_t i = 0; i < rules.size(); ++i) {
    for (const std::string& key : rules[i]->index_keys) postings.Add(key, i);
  }
  postings.AddTermIds(table, rules);
  for (const v1::Tender& t : notices) {
    absl::StatusOr<internal::PreparedNotice> n = internal::PrepareNotice(t);
    ASSERT_TRUE(n.ok()) << n.status();
    absl::StatusOr<internal::PreparedNotice> selected =
        internal::PrepareNotice(t, &postings);
    ASSERT_TRUE(selected.ok()) << selected.status();
    internal::Candidates(postings, *selected);
    const internal::NoticeKeys keys =
        internal::MakeNoticeKeys(table, *n, context);
    for (uint32_t i = 0; i < rules.size(); ++i) {
      AlertMatch match;
      v1::Alert alert;
      absl::StatusOr<bool> quick =
          internal::MatchRule(table, rules, i, *n, keys, context, &match);
      absl::StatusOr<bool> full =
          internal::VerifyAlertRule(*rules[i], *n, context, &alert);
      AlertMatch selected_match;
      absl::StatusOr<bool> quick_selected = internal::MatchRule(
          table, rules, i, *selected, keys, context, &selected_match);
      ASSERT_TRUE(quick.ok() && full.ok() && quick_selected.ok());
      ASSERT_EQ(*quick, *full) << rules[i]->rule.ShortDebugString() << "\n"
                               << t.ShortDebugString();
      ASSERT_EQ(*quick_selected, *full)
          << rules[i]->rule.ShortDebugString() << "\n"
          << t.ShortDebugString();
      if (!*full) continue;
      ++*held;
      v1::Alert explained;
      internal::ExplainMatch(table, i, *rules[i], *n, keys, match, &explained);
      ASSERT_EQ(explained.ShortDebugString(), alert.ShortDebugString());
      v1::Alert explained_selected;
      internal::ExplainMatch(table, i, *rules[i], *selected, keys,
                             selected_match, &explained_selected);
      ASSERT_EQ(explained_selected.ShortDebugString(),
                alert.ShortDebugString());
    }
  }
}

TEST(QuickCheckTable, EqualsFullVerificationOnRandomRules) {
  std::mt19937 rng(20261129);
  std::vector<std::shared_ptr<const internal::CompiledAlertRule>> rules;
  while (rules.size() < 1500) {
    v1::AlertRule r = RandomRule(rng, static_cast<int>(rules.size()));
    if (!Validator().ValidateAlertRule(r).ok()) continue;
    auto compiled = internal::CompileAlertRule(r, Options());
    if (compiled.ok()) rules.push_back(*std::move(compiled));
  }
  std::vector<v1::Tender> notices;
  for (size_t i = 0; i < RealNotices().size(); i += 3) {
    notices.push_back(RealNotices()[i]);
  }
  int held = 0;
  ExpectTableEqualsVerification(rules, notices, At2021(), &held);
  EXPECT_GT(held, 1000);  // The twin is compared on rules that hold too.
}

// The same on codes no importer writes: CPV codes with letters, short or
// long, places of any length and bytes, unknown kinds and legal bases,
// other currencies, lots with and without their own codes; rules compiled
// without validation (prefixes of 0-8 digits, places of 0-8 bytes).
TEST(QuickCheckTable, EqualsFullVerificationOnOddCodes) {
  std::mt19937 rng(7);
  auto text = [&](absl::string_view alphabet, int max_length) {
    std::string out;
    for (int i = 0, n = static_cast<int>(rng() % (max_length + 1)); i < n;
         ++i) {
      out += alphabet[rng() % alphabet.size()];
    }
    return out;
  };
  auto money = [&](v1::Money* m) {
    m->set_amount(static_cast<double>(rng() % 5) * 1000);
    m->set_currency(rng() % 3 == 0 ? "USD" : "EUR");
  };
  std::vector<v1::Tender> notices;
  for (int i = 0; i < 300; ++i) {
    v1::Tender t;
    t.set_id(absl::StrCat("t", i));
    t.set_title(rng() % 2 ? "drones maritimes" : "maritime drones");
    t.set_language(rng() % 2 ? "fr" : "en");
    t.set_notice_kind(static_cast<v1::NoticeKind>(rng() % 9));
    t.set_legal_basis(static_cast<v1::LegalBasis>(rng() % 10));
    t.mutable_buyer()->set_country(rng() % 2 ? "BE" : "FR");
    if (rng() % 2) money(t.mutable_estimated_value());
    if (rng() % 2) t.mutable_submission_deadline()->set_seconds(rng() % 3000);
    t.set_main_cpv(text("3560-A", 10));
    for (int k = 0, n = rng() % 3; k < n; ++k) {
      t.add_additional_cpv(text("3560", 9));
      t.add_nuts_codes(text("BE12\xc3", 10));
    }
    for (int l = 0, n = rng() % 3; l < n; ++l) {
      v1::Lot* lot = t.add_lots();
      lot->set_id(absl::StrCat(l + 1));
      if (rng() % 2) lot->set_main_cpv(text("3560", 9));
      if (rng() % 2) lot->add_nuts_codes(text("BE12", 6));
      if (rng() % 2) money(lot->mutable_estimated_value());
    }
    notices.push_back(std::move(t));
  }
  std::vector<std::shared_ptr<const internal::CompiledAlertRule>> rules;
  for (int i = 0; i < 400; ++i) {
    v1::AlertRule r;
    r.set_id(absl::StrCat("r", i));
    for (int k = 0, n = rng() % 3; k < n; ++k) {
      r.add_cpv_prefixes(text("3560", 8));
    }
    if (rng() % 4 == 0) r.add_exclude_cpv_prefixes(text("3560", 4));
    if (rng() % 3 == 0) r.add_nuts_prefixes(text("BE12\xc3", 8));
    if (rng() % 4 == 0) money(r.mutable_min_value());
    if (rng() % 4 == 0) money(r.mutable_max_value());
    if (rng() % 5 == 0) r.add_notice_kinds(v1::NOTICE_KIND_CONTRACT_NOTICE);
    if (rng() % 5 == 0) r.add_legal_bases(v1::LEGAL_BASIS_OTHER);
    if (rng() % 5 == 0) r.add_buyer_countries("BE");
    if (rng() % 5 == 0) r.add_languages("fr");
    if (rng() % 5 == 0) r.set_deadline_open(true);
    if (rng() % 4 == 0) r.add_keywords(rng() % 2 ? "drone" : "maritime drones");
    if (rng() % 4 == 0) r.set_keyword_language("fr");
    auto compiled = internal::CompileAlertRule(r, Options());
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    rules.push_back(*std::move(compiled));
  }
  EvaluationContext context;
  context.now = absl::FromUnixSeconds(1500);
  int held = 0;
  ExpectTableEqualsVerification(rules, notices, context, &held);
  EXPECT_GT(held, 300);
}

// The one-pass analysis alerts use equals the two analyses it replaces, on
// every real title and description in its own and other languages, both
// when the stems are computed and when they come from the thread's memo.
TEST(AnalyzeStemmedAndPlain, EqualsBothAnalysesOnRealNotices) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const v1::Tender& t : RealNotices()) {
      for (const std::string* text : {&t.title(), &t.description()}) {
        for (const std::string& language :
             {t.language(), std::string("de"), std::string("")}) {
          absl::StatusOr<StemmedAndPlainTerms> both =
              AnalyzeStemmedAndPlain(*text, language);
          ASSERT_TRUE(both.ok()) << both.status();
          ASSERT_EQ(both->stemmed, *AnalyzeText(*text, language))
              << t.id() << " " << language;
          ASSERT_EQ(both->plain, *AnalyzeText(*text, "")) << t.id();
        }
      }
    }
  }
  absl::StatusOr<StemmedAndPlainTerms> bad =
      AnalyzeStemmedAndPlain("drones \xff", "fr");
  EXPECT_EQ(bad.status(), AnalyzeText("drones \xff", "fr").status());
}

// `real` with up to two lots whose title and description are drawn from
// `texts`, and in `*whole` its title, description and lots' text joined by
// newlines, as a prepared notice's folded text joins them.
template <size_t kTexts>
v1::Tender WithRandomLots(const v1::Tender& real,
                          const char* const (&texts)[kTexts], std::mt19937* rng,
                          std::string* whole) {
  v1::Tender t = real;
  for (int k = (*rng)() % 3; k > 0; --k) {
    v1::Lot* lot = t.add_lots();
    lot->set_id(absl::StrCat("L", k));
    lot->set_title(texts[(*rng)() % kTexts]);
    lot->set_description(texts[(*rng)() % kTexts]);
  }
  *whole = absl::StrCat(t.title(), "\n", t.description());
  for (const v1::Lot& lot : t.lots()) {
    absl::StrAppend(whole, "\n", lot.title(), "\n", lot.description());
  }
  return t;
}

// The folds of the case orbits of a few Greek, Cyrillic and Latin runes
// (as a table's prefilters of patterns in those scripts would hold).
internal::RuneFolds OrbitFolds() {
  internal::RuneFolds folds;
  for (char32_t rune : {0x3C3, 0x3A9, 0x414, 0x1C81, 0xE9, 0x17F, 0x4E00}) {
    const std::vector<char32_t> orbit = internal::CaseOrbit(rune);
    if (orbit.empty()) continue;
    const char32_t least = *std::min_element(orbit.begin(), orbit.end());
    for (char32_t r : orbit) folds.emplace(r, least);
  }
  return folds;
}

// A notice's pattern set-up (NoticeTrigrams: the prefilter text made in
// one pass over each piece, the title and description from their folded
// form, valid lots from their own text) against its definition, the
// prefilter folding of FoldText of the whole text and its trigrams, on the
// real notices with random lots in several scripts, some invalid UTF-8,
// with and without orbit folds, the lots folded before (FoldedText first)
// or not: the same text, the same trigrams.
TEST(PreparedNotice, PrefilterTextInOnePassEqualsFoldingTheWholeText) {
  std::mt19937 rng(37);
  const char* const kLotText[] = {"Lot 1: Drohnen",
                                  "ΠΥΡΟΜΑΧΙΚΑ Σκάφη",
                                  "İSTANBUL ſ \xE2\x84\xAA Дрон",
                                  "bad \xC3",
                                  "\xFF\xFE",
                                  "Straße \xE2\x82",
                                  "ÉTÉ – 5 m² €",
                                  ""};
  const internal::PrefilterFolds with_orbits(OrbitFolds());
  const internal::PrefilterFolds without;
  int with_lots = 0, folded_first = 0;
  for (const v1::Tender& real : RealNotices()) {
    std::string whole;
    const v1::Tender t = WithRandomLots(real, kLotText, &rng, &whole);
    with_lots += t.lots_size() > 0 ? 1 : 0;
    for (const internal::PrefilterFolds* folds : {&with_orbits, &without}) {
      absl::StatusOr<internal::PreparedNotice> n = internal::PrepareNotice(t);
      ASSERT_TRUE(n.ok()) << n.status();
      if (rng() % 3 == 0) {
        internal::FoldedText(*n);
        ++folded_first;
      }
      const std::string expected_text = folds->Apply(FoldText(whole));
      ASSERT_TRUE(internal::NoticeTrigrams(*folds, *n) ==
                  internal::TextTrigrams(expected_text))
          << t.id() << " " << absl::CEscape(whole);
      ASSERT_EQ(n->prefilter_text, expected_text) << t.id();
    }
  }
  EXPECT_GT(with_lots, 500);
  EXPECT_GT(folded_first, 500);
}

// More distinct words than the memo holds: it is emptied and refilled, and
// the terms stay right; so do words too long for it.
// A prepared notice's folded text (the title and description folded in the
// pass that analyses them, the lots after) against FoldText of the whole
// text, its twin, on the real notices with random lots, some of whose text
// is invalid UTF-8: equal, and valid UTF-8 (PrefilterFolds::ApplyToValid
// relies on it).
TEST(PreparedNotice, FoldedTextEqualsFoldingTheWholeText) {
  std::mt19937 rng(31);
  const char* const kLotText[] = {"Lot 1: Drohnen",  "ΠΥΡΟΜΑΧΙΚΑ",
                                  "bad \xC3",        "\xFF\xFE",
                                  "Straße \xE2\x82", ""};
  int with_lots = 0;
  for (const v1::Tender& real : RealNotices()) {
    std::string whole;
    const v1::Tender t = WithRandomLots(real, kLotText, &rng, &whole);
    with_lots += t.lots_size() > 0 ? 1 : 0;
    absl::StatusOr<internal::PreparedNotice> n = internal::PrepareNotice(t);
    ASSERT_TRUE(n.ok()) << n.status();
    const std::string& folded = internal::FoldedText(*n);
    ASSERT_EQ(folded, FoldText(whole)) << t.id();
    ASSERT_TRUE(IsValidUtf8(folded)) << t.id();
    // Made once: asking again gives the same text.
    ASSERT_EQ(&internal::FoldedText(*n), &folded);
    ASSERT_EQ(internal::FoldedText(*n), FoldText(whole));
  }
  EXPECT_GT(with_lots, 500);
}

TEST(AnalyzeStemmedAndPlain, MemoOverflowKeepsTermsRight) {
  std::mt19937 rng(7);
  std::string text;
  for (int i = 0; i < kStemMemoEntries + 5000; ++i) {
    std::string word;
    for (int k = 0; k < 9; ++k) word += static_cast<char>('a' + rng() % 26);
    absl::StrAppend(&text, word, i % 3 == 0 ? "ing " : "ations ");
    if (i % 1000 == 0) {  // Longer than the memo keeps: stemmed each time.
      absl::StrAppend(&text, std::string(kStemMemoWordBytes, 'q'), word,
                      "ations ");
    }
    if (i % 4000 == 3999) {
      ASSERT_EQ(AnalyzeStemmedAndPlain(text, "en")->stemmed,
                *AnalyzeText(text, "en"));
      text.clear();
    }
  }
  EXPECT_EQ(AnalyzeStemmedAndPlain(text, "en")->stemmed,
            *AnalyzeText(text, "en"));
}

// The Belgian sample: tender BE-MOD-2026-UAV (CPV 35613000, place BE,
// French, deadline 2026-11-16, 9,000,000 EUR) and TED-010233-2021 (lots).
class AlertCriteriaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (absl::string_view line :
         absl::StrSplit(Read("data/sample/tenders.jsonl"), '\n')) {
      if (line.empty()) continue;
      ASSERT_TRUE(ReadRecords<v1::Tender>(
                      "tenders.jsonl", line, RecordFormat::kJsonLines,
                      [&](int, v1::Tender t) { tenders_[t.id()] = t; },
                      [](absl::Status s) { FAIL() << s; })
                      .ok());
    }
    context_.now =
        absl::FromCivil(absl::CivilDay(2026, 10, 1), absl::UTCTimeZone());
  }

  // The reasons of rule `r` for tender `id`, or "no alert".
  std::vector<std::string> Reasons(const v1::AlertRule& r,
                                   const std::string& id,
                                   std::vector<std::string>* lots = nullptr) {
    AlertIndex::Builder builder;
    absl::Status added = builder.Add(r);
    EXPECT_TRUE(added.ok()) << added;
    auto index = std::move(builder).Build();
    auto alerts = (*index)->Evaluate(tenders_.at(id), context_);
    EXPECT_TRUE(alerts.ok()) << alerts.status();
    auto oracle = (*index)->EvaluateExhaustive(tenders_.at(id), context_);
    EXPECT_EQ(Serialized(*alerts), Serialized(*oracle));
    if (alerts->empty()) return {"no alert"};
    if (lots != nullptr) {
      lots->assign(alerts->at(0).lot_ids().begin(),
                   alerts->at(0).lot_ids().end());
    }
    EXPECT_EQ(alerts->at(0).title(), tenders_.at(id).title());
    return {alerts->at(0).reasons().begin(), alerts->at(0).reasons().end()};
  }

  static v1::AlertRule Rule() {
    v1::AlertRule r;
    r.set_id("uav");
    r.set_subscriber("BE-0410472920");
    return r;
  }

  std::map<std::string, v1::Tender> tenders_;
  EvaluationContext context_;
};

TEST_F(AlertCriteriaTest, CpvPrefixes) {
  v1::AlertRule r = Rule();
  r.add_cpv_prefixes("356");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"),
              ElementsAre("CPV 35613000 is under your 356"));
  r.add_exclude_cpv_prefixes("386");  // The tender's 38600000.
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
  r.clear_exclude_cpv_prefixes();
  r.set_cpv_prefixes(0, "3572");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
}

TEST_F(AlertCriteriaTest, NutsCountryKindLegalBasisLanguage) {
  v1::AlertRule r = Rule();
  r.add_nuts_prefixes("BE");
  r.add_buyer_countries("BE");
  r.add_notice_kinds(v1::NOTICE_KIND_CONTRACT_NOTICE);
  r.add_legal_bases(v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC);
  r.add_languages("fr");
  EXPECT_THAT(
      Reasons(r, "BE-MOD-2026-UAV"),
      ElementsAre("a contract notice", "under the defence directive 2009/81/EC",
                  "written in fr", "buyer in BE", "place of performance BE"));
  r.set_languages(0, "nl");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
}

TEST_F(AlertCriteriaTest, ValueAndDeadline) {
  v1::AlertRule r = Rule();
  r.mutable_min_value()->set_amount(1000000);
  r.mutable_min_value()->set_currency("EUR");
  r.set_deadline_open(true);
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"),
              ElementsAre("submission deadline 2026-11-16 12:00 UTC is still "
                          "open",
                          "estimated value 9,000,000 EUR at least 1,000,000 "
                          "EUR"));
  context_.now =
      absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone());
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
  context_.now = absl::UnixEpoch();
  r.mutable_max_value()->set_amount(5000000);
  r.mutable_max_value()->set_currency("EUR");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
  r.mutable_min_value()->set_currency("USD");
  r.mutable_max_value()->set_currency("USD");
  r.mutable_max_value()->set_amount(50000000);
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
}

TEST_F(AlertCriteriaTest, KeywordsAndPhrasesAreStemmedAndAdjacent) {
  v1::AlertRule r = Rule();
  r.add_keywords("drone");  // "drones" in the French title.
  r.set_keyword_language("fr");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"),
              ElementsAre("'drone' in the title"));
  r.set_keywords(0, "Caméras thermiques");  // Description, accents folded.
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"),
              ElementsAre("'Caméras thermiques' in the description"));
  r.set_keywords(0, "thermiques caméras");  // Not in this order.
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
  r.set_keywords(0, "maritime drones");  // English title, unstemmed form.
  EXPECT_THAT(Reasons(r, "EDF-2026-MARITIME-AUTONOMY"),
              ElementsAre("'maritime drones' in the title"));
}

TEST_F(AlertCriteriaTest, PatternsRunOnlyInVerification) {
  v1::AlertRule r = Rule();
  r.add_cpv_prefixes("35");
  r.add_keyword_patterns("tactiq\\w+");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"),
              ElementsAre("CPV 35613000 is under your 35",
                          "pattern 'tactiq\\w+' matches \"tactiques\""));
  r.add_exclude_patterns("maintenance");
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
}

TEST_F(AlertCriteriaTest, LotsThatMatchAreListed) {
  const v1::Tender& t = tenders_.at("TED-010233-2021");
  ASSERT_EQ(t.lots_size(), 2);
  v1::AlertRule r = Rule();
  r.add_cpv_prefixes(t.lots(1).main_cpv().substr(0, 8));
  std::vector<std::string> lots;
  std::vector<std::string> reasons = Reasons(r, t.id(), &lots);
  ASSERT_FALSE(reasons.empty());
  EXPECT_THAT(reasons[0], HasSubstr("is under your"));
  EXPECT_THAT(lots, ::testing::Contains(t.lots(1).id()));
}

TEST_F(AlertCriteriaTest, ProfileRuleUsesTheMatcher) {
  SupplierIndex::Builder suppliers;
  ASSERT_TRUE(ReadRecords<v1::SupplierProfile>(
                  "suppliers.jsonl", Read("data/sample/suppliers.jsonl"),
                  RecordFormat::kJsonLines,
                  [&](int, v1::SupplierProfile p) {
                    ASSERT_TRUE(suppliers.Add(std::move(p)).ok());
                  },
                  [](absl::Status s) { FAIL() << s; })
                  .ok());
  auto index = std::move(suppliers).Build();
  ASSERT_TRUE(index.ok());
  Matcher matcher(*index);
  v1::AlertRule r = Rule();
  r.mutable_profile()->set_supplier_id("BE-0410472920");
  r.mutable_profile()->set_min_score(0.1);
  // Without a matcher: an error naming the rule.
  AlertIndex::Builder builder;
  ASSERT_TRUE(builder.Add(r).ok());
  auto alerts = std::move(builder).Build();
  auto failed = (*alerts)->Evaluate(tenders_.at("BE-MOD-2026-UAV"), context_);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(failed.status().message()),
              HasSubstr("alert rule \"uav\": profile"));
  context_.matcher = &matcher;
  std::vector<std::string> reasons = Reasons(r, "BE-MOD-2026-UAV");
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_THAT(reasons[0],
              ::testing::MatchesRegex("score 0\\.[0-9][0-9] for supplier "
                                      "BE-0410472920 ≥ 0\\.1"));
  r.mutable_profile()->set_min_score(0.99);
  EXPECT_THAT(Reasons(r, "BE-MOD-2026-UAV"), ElementsAre("no alert"));
}

// The tender prepared once and scored for each supplier (what profile rules
// use) against Matcher::Explain() per supplier, its brute-force twin, on
// random suppliers and tenders: the same score, the same exclusions, and
// the same errors in the same order (an unknown supplier before an invalid
// tender).
TEST(ProfileScores, EqualExplainPerSupplier) {
  SupplierIndex::Builder builder;
  const std::vector<v1::SupplierProfile> suppliers =
      procmatch::testing::RandomSuppliers(80, 7);
  for (const v1::SupplierProfile& p : suppliers) {
    ASSERT_TRUE(builder.Add(p).ok());
  }
  auto index = std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();
  Matcher matcher(*index);
  std::vector<v1::Tender> tenders;
  for (const v1::MatchRequest& r : procmatch::testing::RandomRequests(25, 8)) {
    tenders.push_back(r.tender());
  }
  v1::Tender invalid = tenders[0];
  invalid.set_title("bad \xC3 text");
  tenders.push_back(invalid);
  int eligible = 0, excluded = 0;
  for (const v1::Tender& t : tenders) {
    const internal::ProfileScores scores(matcher, t);
    v1::MatchRequest request;
    *request.mutable_tender() = t;
    std::vector<std::string> ids = {"no-such-supplier"};
    for (const v1::SupplierProfile& p : suppliers) ids.push_back(p.id());
    for (const std::string& id : ids) {
      absl::StatusOr<double> fast = scores.Score(id);
      absl::StatusOr<v1::MatchResponse> slow = matcher.Explain(request, id);
      ASSERT_EQ(fast.status(), slow.status()) << t.id() << " " << id;
      if (!slow.ok()) continue;
      if (slow->matches_size() == 0) {
        ASSERT_EQ(*fast, -1) << t.id() << " " << id;
        ++excluded;
      } else {
        ASSERT_EQ(*fast, slow->matches(0).score()) << t.id() << " " << id;
        ++eligible;
      }
    }
  }
  // Both outcomes are exercised.
  EXPECT_GT(eligible, 20);
  EXPECT_GT(excluded, 20);
}

// The RE2 prefilter against RE2 itself (its brute-force twin) on random
// patterns and texts over an alphabet with the runes case folding equates
// with ASCII letters and Greek and Cyrillic runes of one orbit (σ ς Σ,
// д Д ᲁ): "cannot match" only when PartialMatch fails.
TEST(PatternPrefilter, SaysCannotMatchOnlyWhenRe2DoesNot) {
  std::mt19937 rng(11);
  // clang-format off
  const std::vector<std::string> text_pieces = {
      "a", "b", "k", "K", "s", "S", "i", "I", "e", "\xC3\xA9",
      "\xE2\x84\xAA", "\xC5\xBF", "\xC4\xB0", "\xCE\xA3", "\xCF\x82",
      "\xCF\x83", "\xD0\xB4", "\xD0\x94", "\xE1\xB2\x81", " ", "-", "ab",
      "kis"};
  const std::vector<std::string> pattern_pieces = {
      "a", "b", "k", "K", "s", "S", "i", "e", "\xC3\xA9", "\xCF\x83",
      "\\x{212A}", "\\x{17F}", "\xCF\x83\xD0\xB4",
      "\xCE\xA3\xCF\x83\xCF\x82", "\xD0\x94\xD0\xB4", "abk", "kiss", "sea",
      "[ab]", "[a-k]", ".", " ", "\\b", "\\w", "(?i)", "(?-i)", "[^a]"};
  // clang-format on
  auto pick = [&](const std::vector<std::string>& from) -> const std::string& {
    return from[rng() % from.size()];
  };
  auto text = [&]() {
    std::string out;
    for (int i = 0, n = static_cast<int>(rng() % 12); i < n; ++i) {
      out += pick(text_pieces);
    }
    return out;
  };
  // Literal runs, optionally grouped, repeated or alternated.
  std::function<std::string(int)> pattern = [&](int depth) {
    std::string out;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i) {
      const int what = static_cast<int>(rng() % 10);
      if (depth < 2 && what == 0) {
        out +=
            absl::StrCat("(", pattern(depth + 1), "|", pattern(depth + 1), ")");
      } else if (depth < 2 && what == 1) {
        out += absl::StrCat("(?:", pattern(depth + 1), ")",
                            std::string(1, "?*+"[rng() % 3]));
      } else {
        out += pick(pattern_pieces);
      }
    }
    return out;
  };
  int filtered = 0, rejected = 0, compared = 0, quickly_rejected = 0;
  for (int p = 0; p < 3000; ++p) {
    const std::string source = pattern(0);
    absl::StatusOr<std::unique_ptr<RE2>> re = internal::CompileKeywordPattern(
        source, /*case_sensitive=*/rng() % 4 == 0, 8 << 20);
    if (!re.ok()) continue;
    const internal::PatternPrefilter prefilter =
        internal::MakePatternPrefilter(**re);
    if (prefilter.atoms.empty()) continue;
    ++filtered;
    // The quick-check table's form, after another pattern's slots.
    std::vector<uint16_t> slots(rng() % 3, 7);
    const internal::QuickPattern quick =
        internal::MakeQuickPattern(prefilter, /*exclude=*/false, &slots);
    for (int t = 0; t < 40; ++t) {
      const std::string s = text();
      const std::string folded =
          internal::FoldRunes(internal::PrefilterText(s),
                              internal::RuneFolds(prefilter.rune_folds.begin(),
                                                  prefilter.rune_folds.end()));
      const bool may = internal::MayMatch(prefilter, folded);
      const bool does = RE2::PartialMatch(s, **re);
      ++compared;
      if (!may) ++rejected;
      ASSERT_TRUE(may || !does) << "pattern " << source << " text " << s;
      // The trigram shortcut decides as the search of every atom does.
      const internal::TextTrigrams trigrams(folded);
      ASSERT_EQ(internal::MayMatch(prefilter, folded, trigrams), may)
          << "pattern " << source << " text " << s;
      // The table's trigrams alone say "cannot" only when the atoms do.
      const bool quickly = internal::QuickMayMatch(quick, slots, trigrams);
      ASSERT_TRUE(quickly || !may) << "pattern " << source << " text " << s;
      if (!quickly) ++quickly_rejected;
    }
  }
  EXPECT_GT(quickly_rejected, rejected / 2);
  // The prefilter decides something: many patterns have atoms, and many
  // texts are rejected without RE2.
  EXPECT_GT(filtered, 500);
  EXPECT_GT(rejected, compared / 4);
}

// An atom of more than 255 trigrams is decided by its first 255 in the
// quick-check table: a text that lacks one of them is ruled out, one that
// holds them all goes on to the search of the atom.
TEST(PatternPrefilter, QuickFormOfALongAtomKeepsItsFirstTrigrams) {
  std::mt19937 rng(5);
  std::string atom;  // Random letters: nearly every trigram distinct.
  for (int i = 0; i < 300; ++i) atom += static_cast<char>('a' + rng() % 26);
  absl::StatusOr<std::unique_ptr<RE2>> re =
      internal::CompileKeywordPattern(atom, /*case_sensitive=*/false, 8 << 20);
  ASSERT_TRUE(re.ok()) << re.status();
  const internal::PatternPrefilter prefilter =
      internal::MakePatternPrefilter(**re);
  ASSERT_EQ(prefilter.atoms.size(), 1u);
  std::vector<uint16_t> slots;
  const internal::QuickPattern quick =
      internal::MakeQuickPattern(prefilter, /*exclude=*/true, &slots);
  EXPECT_TRUE(quick.exclude);
  EXPECT_EQ(quick.slots[0], 255);
  EXPECT_EQ(slots.size(), 255u);
  auto quickly = [&](const std::string& text) {
    return internal::QuickMayMatch(quick, slots, internal::TextTrigrams(text));
  };
  EXPECT_TRUE(quickly(absl::StrCat("x ", atom, " y")));
  EXPECT_FALSE(quickly(atom.substr(0, 200)));
  EXPECT_TRUE(quickly(atom.substr(0, 257)));  // Then the atom is searched.
  EXPECT_FALSE(internal::MayMatch(prefilter, atom.substr(0, 257)));
}

// Orbits as RE2 folds case: final sigma with sigma, the long-legged
// Cyrillic de with de; none outside the Basic Multilingual Plane.
TEST(CaseOrbit, HoldsTheRunesRe2FoldsTogether) {
  auto sorted = [](std::vector<char32_t> runes) {
    std::sort(runes.begin(), runes.end());
    return runes;
  };
  EXPECT_THAT(sorted(internal::CaseOrbit(0x3C3)),
              ElementsAre(0x3A3, 0x3C2, 0x3C3));
  EXPECT_THAT(sorted(internal::CaseOrbit(0x414)),
              ElementsAre(0x414, 0x434, 0x1C81));
  EXPECT_THAT(internal::CaseOrbit(0x4E00), ElementsAre(0x4E00));
  EXPECT_TRUE(internal::CaseOrbit(0x10400).empty());
}

// An atom with runes outside the plane is searched for by its ASCII runs;
// one of Greek letters whole, its runes folded.
TEST(PatternPrefilter, SearchesTheAsciiRunsOfOtherAtoms) {
  auto prefilter = [](const std::string& source) {
    absl::StatusOr<std::unique_ptr<RE2>> re = internal::CompileKeywordPattern(
        source, /*case_sensitive=*/false, 8 << 20);
    EXPECT_TRUE(re.ok()) << source;
    return internal::MakePatternPrefilter(**re);
  };
  const std::string mixed = "drones\xF0\x90\x90\xA8";  // "drones𐐨"
  const std::string greek = "\xCF\x83\xCE\xBA\xCE\xB1\xCF\x86\xCE\xB7";
  const internal::PatternPrefilter one = prefilter(mixed);
  ASSERT_FALSE(one.atoms.empty());
  EXPECT_FALSE(internal::MayMatch(one, "services de nettoyage"));
  EXPECT_TRUE(internal::MayMatch(one, absl::StrCat("en ", mixed, " af")));
  // A Greek word is searched for with its runes folded to their orbits'
  // least: found in capitals and with a final sigma.
  const internal::PatternPrefilter word = prefilter(greek);
  ASSERT_FALSE(word.atoms.empty());
  const internal::RuneFolds folds(word.rune_folds.begin(),
                                  word.rune_folds.end());
  EXPECT_TRUE(internal::MayMatch(
      word,
      internal::FoldRunes("\xCE\xA3\xCE\x9A\xCE\x91\xCE\xA6\xCE\x97", folds)));
  EXPECT_FALSE(internal::MayMatch(
      word, internal::FoldRunes("\xCE\xBA\xCE\xB1\xCF\x86\xCE\xB7", folds)));
  // A rune beyond the plane leaves an atom to its ASCII runs, and one with
  // none to count as present: then the pattern always runs.
  EXPECT_TRUE(prefilter("\xF0\x90\x90\xA8\xF0\x90\x90\xA9\xF0\x90\x90\xAA")
                  .atoms.empty());
}

// The trigram filter against memmem (its brute-force twin) on random
// texts and atoms over a small alphabet (so that atoms often occur) with
// multi-byte runes: "absent" only when the atom does not occur.
TEST(TextTrigrams, SaysAbsentOnlyWhenTheAtomDoesNotOccur) {
  std::mt19937 rng(12);
  const std::vector<std::string> pieces = {"a",        "b",        "c",  " ",
                                           "\xCE\xB1", "\xD0\xB1", "ab", "\n"};
  auto make = [&](int most) {
    std::string out;
    for (int i = 0, n = static_cast<int>(rng() % most); i < n; ++i) {
      out += pieces[rng() % pieces.size()];
    }
    return out;
  };
  int absent = 0, ruled_out = 0;
  for (int t = 0; t < 2000; ++t) {
    // Long texts fill the bit set: hash collisions must stay harmless.
    const std::string text = make(t % 10 == 0 ? 20000 : 60);
    const internal::TextTrigrams trigrams(text);
    for (int a = 0; a < 20; ++a) {
      const std::string atom = make(8);
      const bool occurs =
          memmem(text.data(), text.size(), atom.data(), atom.size()) != nullptr;
      const bool may = trigrams.MayHold(atom);
      ASSERT_TRUE(may || !occurs) << "atom " << atom << " text " << text;
      if (!occurs) ++absent;
      if (!may) ++ruled_out;
    }
  }
  // It rules out most absent atoms without searching.
  EXPECT_GT(ruled_out, absent / 2);
}

// The trigram set, made eight bytes at a time, against the slots of the
// text's trigrams taken a byte at a time (TextTrigrams::AppendSlots, which
// the rules' atoms are hashed by): every slot is set that one of them is,
// and no other, on texts of every length up to 40 bytes and long ones, so
// that every trigram meets the joins of the words and the tail.
TEST(TextTrigrams, HoldsExactlyTheSlotsOfTheTextsTrigrams) {
  std::mt19937 rng(14);
  for (int t = 0; t < 300; ++t) {
    std::string text;
    const size_t size = t < 41 ? t : rng() % 3000;
    for (size_t i = 0; i < size; ++i) text += static_cast<char>(rng() % 256);
    std::vector<uint16_t> slots;
    internal::TextTrigrams::AppendSlots(text, &slots);
    std::vector<bool> expected(1 << 16, false);
    for (uint16_t slot : slots) expected[slot] = true;
    const internal::TextTrigrams trigrams(text);
    for (uint32_t slot = 0; slot < (1u << 16); ++slot) {
      const uint16_t one = static_cast<uint16_t>(slot);
      ASSERT_EQ(trigrams.HasAll(&one, 1), expected[slot])
          << "slot " << slot << " of " << absl::CEscape(text);
    }
  }
}

// The sort of matches' keys against std::sort (its twin) on random
// distinct rule positions, few and many, of indexes of every size.
TEST(SortKeysByRule, EqualsSortingByRule) {
  std::mt19937 rng(13);
  for (int t = 0; t < 300; ++t) {
    const size_t rule_count = 1 + rng() % (t % 3 == 0 ? 1000 : 5000000);
    const size_t n = std::min<size_t>(rule_count, rng() % 3000);
    std::set<uint32_t> rules;
    while (rules.size() < n) rules.insert(rng() % rule_count);
    std::vector<uint64_t> keys;
    for (uint32_t rule : rules) {
      keys.push_back(uint64_t{rule} << 32 | rng());  // A payload to keep.
    }
    std::shuffle(keys.begin(), keys.end(), rng);
    std::vector<uint64_t> expected = keys;
    std::sort(expected.begin(), expected.end(),
              [](uint64_t a, uint64_t b) { return (a >> 32) < (b >> 32); });
    internal::SortKeysByRule(&keys, rule_count);
    ASSERT_EQ(keys, expected) << "rules " << rule_count << ", keys " << n;
  }
}

// The folding patterns run on, a run at a time, against FoldText (its
// twin) on every real notice's text and on random strings of ASCII,
// accented, Greek and Cyrillic letters and other scripts.
TEST(FoldTextByRuns, EqualsFoldText) {
  int compared = 0;
  for (const v1::Tender& t : RealNotices()) {
    for (const std::string* text : {&t.title(), &t.description()}) {
      ASSERT_EQ(internal::FoldTextByRuns(*text), FoldText(*text)) << t.id();
      ++compared;
    }
  }
  std::mt19937 rng(29);
  // Valid UTF-8 only: FoldText reads past the end of a truncated sequence
  // (DecodeUtf8 trusts its lead byte), and FoldTextByRuns hands invalid
  // text to it whole.
  const std::vector<std::string> pieces = {"A",
                                           "z",
                                           "Q",
                                           " ",
                                           "-",
                                           "7",
                                           "\xC3\x89",
                                           "\xC3\xA9",
                                           "\xC5\x81",
                                           "\xC4\xB0",
                                           "\xC5\xBF",
                                           "\xCE\xA3",
                                           "\xD0\x96",
                                           "\xE2\x84\xAA",
                                           "\xE4\xB8\xAD",
                                           "\xF0\x9F\x98\x80"};
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    // Up to 39 pieces: runs of eight ASCII bytes and more, which are folded
    // eight at a time, at every offset.
    for (int k = 0, n = static_cast<int>(rng() % (i % 2 == 0 ? 10 : 40)); k < n;
         ++k) {
      text += pieces[rng() % pieces.size()];
    }
    ASSERT_EQ(internal::FoldTextByRuns(text), FoldText(text))
        << absl::CEscape(text);
    ++compared;
  }
  // Every rune of the plane, between ASCII letters (the table holds those
  // of two bytes; an ASCII rune is then in a run of eight ASCII bytes, which
  // are folded at once, at its first or its last byte, or in its middle).
  for (char32_t c = 1; c <= 0xFFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    std::string text = "Ab";
    AppendUtf8(c, &text);
    text += "CdEfGhIjKlMnOpQrStU@Z[`az{";
    text.insert(0, "xYz", c % 4);
    ASSERT_EQ(internal::FoldTextByRuns(text), FoldText(text))
        << absl::CEscape(text);
  }
  EXPECT_GT(compared, 20000);
}

// PrefilterFolds::Apply (tables) against its definition,
// FoldRunes(PrefilterText(text), folds), with the folds of Greek, Cyrillic
// and Latin orbits: on every rune of the plane, on the folded text of the
// real notices, and on random text, invalid UTF-8 included.
TEST(PrefilterFolds, EqualsPrefilterTextThenFoldRunes) {
  const internal::RuneFolds folds = OrbitFolds();
  ASSERT_GT(folds.size(), 8u);
  const internal::PrefilterFolds tables(folds);
  auto expected = [&](absl::string_view text) {
    return internal::FoldRunes(internal::PrefilterText(text), folds);
  };
  for (char32_t c = 1; c <= 0xFFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    // ASCII runes in runs of eight ASCII bytes too, at any offset.
    std::string text = std::string("aB@Z[`az{").substr(0, 2 + c % 8);
    AppendUtf8(c, &text);
    text += "cDeFgHiJkLmNoPqRsT";
    ASSERT_EQ(tables.Apply(text), expected(text)) << absl::CEscape(text);
    // The one-pass form the notices' lots take: FoldText, then the tables.
    std::string appended = "x";
    ASSERT_TRUE(tables.AppendFoldAndApply(text, &appended));
    ASSERT_EQ(appended, "x" + expected(FoldText(text))) << absl::CEscape(text);
  }
  for (const v1::Tender& t : RealNotices()) {
    const std::string text =
        FoldText(absl::StrCat(t.title(), "\n", t.description()));
    ASSERT_EQ(tables.Apply(text), expected(text)) << t.id();
  }
  std::mt19937 rng(31);
  const std::vector<std::string> pieces = {
      "A",
      "z",
      " ",
      "\xC3\x89",
      "\xCF\x82",
      "\xCE\xA3",
      "\xD0\x94",
      "\xC4\xB0",
      "\xC5\xBF",
      "\xE2\x84\xAA",
      "\xE1\xB2\x81",
      "\xF0\x9F\x98\x80",
      "\xEF\xBF\xBD",  // U+FFFD.
      "AbCdEfGhIj",
      "\xC3",
      "\x80",
      "\xFF",
      "\xC0\xAF",          // Overlong.
      "\xED\xA0\x80",      // Surrogate.
      "\xF4\x90\x80\x80",  // Past U+10FFFF.
      "\xE2\x82"};
  int invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int k = 0, n = static_cast<int>(rng() % 12); k < n; ++k) {
      text += pieces[rng() % pieces.size()];
    }
    ASSERT_EQ(tables.Apply(text), expected(text)) << absl::CEscape(text);
    // The one-pass form of the lots checks the text as it folds it: when
    // it is not valid UTF-8, what it appended to is left as it was.
    std::string appended = "x";
    const bool valid = tables.AppendFoldAndApply(text, &appended);
    ASSERT_EQ(valid, IsValidUtf8(text)) << absl::CEscape(text);
    ASSERT_EQ(appended, valid ? "x" + expected(FoldText(text)) : "x")
        << absl::CEscape(text);
    invalid += valid ? 0 : 1;
  }
  EXPECT_GT(invalid, 5000);
}

TEST(AlertIndexBuild, RefusesBadRulesNamingRuleFieldAndBound) {
  Options options;
  options.max_pattern_memory = 64 << 10;
  AlertIndex::Builder builder(options);
  v1::AlertRule r;
  r.set_id("drones-large");
  r.add_keyword_patterns("(drone|uav|quadcopter){1,200}\\w{50,900}");
  absl::Status s = builder.Add(r);
  EXPECT_THAT(std::string(s.message()),
              ::testing::AllOf(HasSubstr("alert rule \"drones-large\""),
                               HasSubstr("keyword_patterns[0]"),
                               HasSubstr("65536 bytes")));
  v1::AlertRule stop;
  stop.set_id("stopwords");
  stop.add_keywords("de la");
  stop.set_keyword_language("fr");
  EXPECT_TRUE(builder.Add(stop).ok());   // Its unstemmed terms remain.
  EXPECT_FALSE(builder.Add(stop).ok());  // Given twice.
  EXPECT_EQ(builder.size(), 1);
  auto index = std::move(builder).Build();
  v1::AlertRuleUpdate update;
  update.add_removed_ids("no-such-rule");
  EXPECT_EQ((*index)->ApplyUpdate(update).status().code(),
            absl::StatusCode::kNotFound);
}

// Options::max_alert_patterns bounds the RE2 patterns of all the rules of
// an index together, when building and in every generation: the rule that
// would pass it is refused naming itself and the bound, and nothing of it
// is added.
TEST(AlertIndexBuild, RefusesPatternsPastTheIndexBound) {
  auto rule = [](const std::string& id, int includes, int excludes) {
    v1::AlertRule r;
    r.set_id(id);
    for (int i = 0; i < includes; ++i) {
      r.add_keyword_patterns(absl::StrCat("drone", i));
    }
    for (int i = 0; i < excludes; ++i) {
      r.add_exclude_patterns(absl::StrCat("toy", i));
    }
    return r;
  };
  Options options;
  options.max_alert_patterns = 4;
  AlertIndex::Builder builder(options);
  ASSERT_TRUE(builder.Add(rule("a", 1, 1)).ok());
  ASSERT_TRUE(builder.Add(rule("b", 0, 0)).ok());
  absl::Status over = builder.Add(rule("c", 2, 1));
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(
      std::string(over.message()),
      ::testing::AllOf(HasSubstr("alert rule \"c\""), HasSubstr("would make 5"),
                       HasSubstr("at most 4 (max_alert_patterns)")));
  v1::AlertRule disabled = rule("d", 1, 1);  // Compiled all the same.
  disabled.set_disabled(true);
  ASSERT_TRUE(builder.Add(disabled).ok());  // Exactly the bound.
  EXPECT_FALSE(builder.Add(rule("e", 1, 0)).ok());
  EXPECT_TRUE(builder.Add(rule("f", 0, 0)).ok());
  EXPECT_EQ(builder.size(), 4);
  absl::StatusOr<std::shared_ptr<const AlertIndex>> index =
      std::move(builder).Build();
  ASSERT_TRUE(index.ok()) << index.status();

  v1::AlertRuleUpdate more;
  *more.add_upserts() = rule("b", 0, 0);
  *more.add_upserts() = rule("g", 0, 1);
  absl::StatusOr<std::shared_ptr<const AlertIndex>> refused =
      (*index)->ApplyUpdate(more);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("alert rule \"g\""));
  // Replacing or removing a rule gives its patterns back.
  v1::AlertRuleUpdate swap;
  *swap.add_upserts() = rule("a", 0, 2);
  swap.add_removed_ids("d");
  *swap.add_upserts() = rule("g", 1, 1);
  absl::StatusOr<std::shared_ptr<const AlertIndex>> swapped =
      (*index)->ApplyUpdate(swap);
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  EXPECT_EQ((*swapped)->size(), 4);

  options.max_alert_patterns = -1;
  AlertIndex::Builder negative(options);
  EXPECT_THAT(std::string(negative.Add(rule("a", 0, 0)).message()),
              HasSubstr("options.max_alert_patterns: -1 is negative"));
}

}  // namespace
}  // namespace procmatch
