#include "procmatch/internal/alert_rule.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace internal {
namespace {

// Estimated share of notices a posting key of each kind selects, to pick
// the criterion a rule is indexed under. Only speed depends on these: any
// required criterion gives the same alerts.
double CpvShare(size_t digits) {
  return digits <= 2 ? 0.05 : digits == 3 ? 0.015 : digits == 4 ? 0.005 : 0.002;
}
double NutsShare(size_t chars) {
  return chars <= 2 ? 0.08 : chars == 3 ? 0.02 : chars == 4 ? 0.008 : 0.003;
}
constexpr double kCountryShare = 0.08;
// Longer terms are rarer (Lucene Monitor's default term weighting).
double TermShare(absl::string_view term) {
  return term.size() < 5 ? 0.03 : term.size() < 8 ? 0.01 : 0.004;
}

const std::string& Longest(const std::vector<std::string>& terms) {
  size_t best = 0;
  for (size_t i = 1; i < terms.size(); ++i) {
    if (terms[i].size() > terms[best].size() ||
        (terms[i].size() == terms[best].size() && terms[i] < terms[best])) {
      best = i;
    }
  }
  return terms[best];
}

// Whether `phrase` occurs in `text` as adjacent terms, found by their
// hashes and confirmed by their text.
bool ContainsPhrase(const std::vector<std::string>& text,
                    const std::vector<size_t>& text_hashes,
                    const std::vector<std::string>& phrase,
                    const std::vector<size_t>& phrase_hashes) {
  if (phrase.empty() || phrase.size() > text.size()) return false;
  for (auto from = text_hashes.begin();; ++from) {
    from = std::search(from, text_hashes.end(), phrase_hashes.begin(),
                       phrase_hashes.end());
    if (from == text_hashes.end()) return false;
    if (std::equal(phrase.begin(), phrase.end(),
                   text.begin() + (from - text_hashes.begin()))) {
      return true;
    }
  }
}

std::vector<size_t> TermHashes(const std::vector<std::string>& terms) {
  std::vector<size_t> out;
  out.reserve(terms.size());
  for (const std::string& t : terms) out.push_back(TermHash(t));
  return out;
}

// The field's term hashes, made on first use.
const AnalysedField& Hashed(const AnalysedField& f) {
  if (!f.hashed) {
    f.stemmed_hashes = TermHashes(f.stemmed);
    f.plain_hashes = TermHashes(f.plain);
    f.hashed = true;
  }
  return f;
}

// "35613000-4" -> "35613000".
std::string CpvDigits(absl::string_view code) {
  return std::string(code.substr(0, std::min<size_t>(8, code.find('-'))));
}

std::string Amount(double amount) {
  std::string digits = absl::StrFormat("%.0f", amount);
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

const char* KindWords(v1::NoticeKind kind) {
  switch (kind) {
    case v1::NOTICE_KIND_PRIOR_INFORMATION:
      return "a prior information notice";
    case v1::NOTICE_KIND_CONTRACT_NOTICE:
      return "a contract notice";
    case v1::NOTICE_KIND_CONTRACT_AWARD:
      return "a contract award notice";
    case v1::NOTICE_KIND_FUNDING_CALL:
      return "a funding call";
    default:
      return "a notice of another kind";
  }
}

const char* LegalBasisWords(v1::LegalBasis basis) {
  switch (basis) {
    case v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC:
      return "the defence directive 2009/81/EC";
    case v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU:
      return "the public procurement directive 2014/24/EU";
    case v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU:
      return "the utilities directive 2014/25/EU";
    case v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU:
      return "the concessions directive 2014/23/EU";
    case v1::LEGAL_BASIS_EDF_REGULATION_2021_697:
      return "the EDF regulation 2021/697";
    case v1::LEGAL_BASIS_NATIONAL:
      return "national rules";
    default:
      return "another legal basis";
  }
}

// The CPV, NUTS and value criteria for one unit, with reasons when
// `reasons` is not null.
bool UnitMatches(const v1::AlertRule& r, const NoticeUnit& unit,
                 std::vector<std::string>* reasons) {
  for (const std::string& code : unit.cpv) {
    for (const std::string& prefix : r.exclude_cpv_prefixes()) {
      if (absl::StartsWith(code, prefix)) return false;
    }
  }
  if (r.cpv_prefixes_size() > 0) {
    bool found = false;
    for (const std::string& code : unit.cpv) {
      for (const std::string& prefix : r.cpv_prefixes()) {
        if (absl::StartsWith(code, prefix)) {
          if (reasons != nullptr) {
            reasons->push_back(
                absl::StrCat("CPV ", code, " is under your ", prefix));
          }
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  if (r.nuts_prefixes_size() > 0) {
    bool found = false;
    for (const std::string& code : unit.nuts) {
      for (const std::string& prefix : r.nuts_prefixes()) {
        if (absl::StartsWith(code, prefix)) {
          if (reasons != nullptr) {
            reasons->push_back(code == prefix
                                   ? absl::StrCat("place of performance ", code)
                                   : absl::StrCat("place of performance ", code,
                                                  " (in your ", prefix, ")"));
          }
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  if (r.has_min_value() || r.has_max_value()) {
    const v1::Money& bound = r.has_min_value() ? r.min_value() : r.max_value();
    if (unit.value == nullptr || unit.value->currency() != bound.currency()) {
      return false;
    }
    const double v = unit.value->amount();
    if (r.has_min_value() && v < r.min_value().amount()) return false;
    if (r.has_max_value() && v > r.max_value().amount()) return false;
    if (reasons == nullptr) return true;
    const std::string cur = bound.currency();
    std::string range =
        r.has_min_value() && r.has_max_value()
            ? absl::StrCat("within ", Amount(r.min_value().amount()), "-",
                           Amount(r.max_value().amount()), " ", cur)
        : r.has_min_value()
            ? absl::StrCat("at least ", Amount(r.min_value().amount()), " ",
                           cur)
            : absl::StrCat("at most ", Amount(r.max_value().amount()), " ",
                           cur);
    reasons->push_back(
        absl::StrCat("estimated value ", Amount(v), " ", cur, " ", range));
  }
  return true;
}

// Whether `re` finds a match in `text`; the matched text in `*found`.
bool PatternFinds(const RE2& re, const std::string& text, std::string* found) {
  re2::StringPiece group;
  if (!RE2::PartialMatch(text, re, &group)) return false;
  *found = std::string(group.substr(0, 80));
  return true;
}

}  // namespace

size_t TermHash(absl::string_view term) {
  return absl::Hash<absl::string_view>{}(term);
}

absl::StatusOr<std::shared_ptr<const CompiledAlertRule>> CompileAlertRule(
    const v1::AlertRule& rule, const Options& options) {
  auto out = std::make_shared<CompiledAlertRule>();
  out->rule = rule;
  const std::string record = absl::StrCat("alert rule \"", rule.id(), "\"");
  std::string language = rule.keyword_language();
  if (language.empty() && rule.keywords_size() > 0) {
    language = GuessLanguage(absl::StrJoin(rule.keywords(), " "));
  }
  for (int i = 0; i < rule.keywords_size(); ++i) {
    AlertPhrase p;
    p.text = rule.keywords(i);
    p.language = language;
    absl::StatusOr<StemmedAndPlainTerms> terms =
        AnalyzeStemmedAndPlain(p.text, language);
    if (!terms.ok() || terms->plain.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ": keywords[", i, "]: \"", p.text,
                       "\" has no searchable term"));
    }
    p.stemmed = std::move(terms->stemmed);
    p.plain = std::move(terms->plain);
    p.stemmed_hashes = TermHashes(p.stemmed);
    p.plain_hashes = TermHashes(p.plain);
    out->phrases.push_back(std::move(p));
  }
  for (int pass = 0; pass < 2; ++pass) {
    const auto& patterns =
        pass == 0 ? rule.keyword_patterns() : rule.exclude_patterns();
    for (int i = 0; i < patterns.size(); ++i) {
      absl::StatusOr<std::unique_ptr<RE2>> re = CompileKeywordPattern(
          patterns[i], /*case_sensitive=*/false, options.max_pattern_memory);
      if (!re.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            record, ": ", pass == 0 ? "keyword_patterns[" : "exclude_patterns[",
            i, "]: ", re.status().message()));
      }
      (pass == 0 ? out->include_patterns : out->exclude_patterns)
          .push_back(std::move(*re));
    }
  }

  // The required criterion with the fewest expected candidates.
  double best = 2.0;
  auto consider = [&](double share, std::vector<std::string> keys) {
    if (!keys.empty() && share < best) {
      best = share;
      out->index_keys = std::move(keys);
    }
  };
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const std::string& p : rule.cpv_prefixes()) {
      share += CpvShare(p.size());
      keys.push_back(absl::StrCat("c", p));
    }
    consider(share, std::move(keys));
  }
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const std::string& p : rule.nuts_prefixes()) {
      share += NutsShare(p.size());
      keys.push_back(absl::StrCat("n", p));
    }
    consider(share, std::move(keys));
  }
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const std::string& c : rule.buyer_countries()) {
      share += kCountryShare;
      keys.push_back(absl::StrCat("b", c));
    }
    consider(share, std::move(keys));
  }
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const AlertPhrase& p : out->phrases) {
      if (!p.stemmed.empty()) {
        const std::string& t = Longest(p.stemmed);
        share += TermShare(t);
        keys.push_back(absl::StrCat("s", p.language, ":", t));
      }
      const std::string& t = Longest(p.plain);
      share += TermShare(t);
      keys.push_back(absl::StrCat("p", t));
    }
    consider(share, std::move(keys));
  }
  std::sort(out->index_keys.begin(), out->index_keys.end());
  out->index_keys.erase(
      std::unique(out->index_keys.begin(), out->index_keys.end()),
      out->index_keys.end());
  return std::shared_ptr<const CompiledAlertRule>(std::move(out));
}

absl::StatusOr<PreparedNotice> PrepareNotice(const v1::Tender& t) {
  PreparedNotice n;
  n.tender = &t;
  n.language = t.language().empty() ? GuessLanguage(t.title()) : t.language();
  NoticeUnit whole;
  if (!t.main_cpv().empty()) whole.cpv.push_back(CpvDigits(t.main_cpv()));
  for (const std::string& c : t.additional_cpv()) {
    whole.cpv.push_back(CpvDigits(c));
  }
  whole.nuts.assign(t.nuts_codes().begin(), t.nuts_codes().end());
  if (t.has_estimated_value()) whole.value = &t.estimated_value();
  for (const v1::Lot& lot : t.lots()) {
    NoticeUnit u;
    u.lot = &lot;
    if (!lot.main_cpv().empty()) u.cpv.push_back(CpvDigits(lot.main_cpv()));
    for (const std::string& c : lot.additional_cpv()) {
      u.cpv.push_back(CpvDigits(c));
    }
    if (u.cpv.empty()) u.cpv = whole.cpv;
    u.nuts.assign(lot.nuts_codes().begin(), lot.nuts_codes().end());
    if (u.nuts.empty()) u.nuts = whole.nuts;
    if (lot.has_estimated_value()) u.value = &lot.estimated_value();
    n.units.push_back(std::move(u));
  }
  n.units.insert(n.units.begin(), std::move(whole));

  const std::string* texts[2] = {&t.title(), &t.description()};
  const char* names[2] = {"title", "description"};
  for (int i = 0; i < 2; ++i) {
    n.fields[i].name = names[i];
    // One pass gives both forms: analysis is most of a notice's cost.
    absl::StatusOr<StemmedAndPlainTerms> terms =
        AnalyzeStemmedAndPlain(*texts[i], n.language);
    if (!terms.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("tender \"", t.id(),
                                                     "\": ", names[i], ": ",
                                                     terms.status().message()));
    }
    n.fields[i].stemmed = std::move(terms->stemmed);
    n.fields[i].plain = std::move(terms->plain);
  }
  return n;
}

const std::string& FoldedText(const PreparedNotice& n) {
  if (!n.folded) {
    std::string text =
        absl::StrCat(n.tender->title(), "\n", n.tender->description());
    for (const v1::Lot& lot : n.tender->lots()) {
      absl::StrAppend(&text, "\n", lot.title(), "\n", lot.description());
    }
    n.folded_text = FoldText(text);
    n.folded = true;
  }
  return n.folded_text;
}

void AlertPostings::Add(absl::string_view key, uint32_t position) {
  const absl::string_view value = key.substr(1);
  switch (key[0]) {
    case 'c':
      cpv[value].push_back(position);
      break;
    case 'n':
      nuts[value].push_back(position);
      break;
    case 'b':
      countries[value].push_back(position);
      break;
    case 'p':
      plain[value].push_back(position);
      break;
    case 's': {
      const size_t colon = value.find(':');
      stemmed[value.substr(0, colon)][value.substr(colon + 1)].push_back(
          position);
      break;
    }
  }
}

std::vector<uint32_t> Candidates(const AlertPostings& p,
                                 const PreparedNotice& n) {
  // A bit per rule merges the postings in rule order without sorting.
  std::vector<uint64_t> seen((p.rule_count + 63) / 64);
  auto mark = [&](const std::vector<uint32_t>& positions) {
    for (uint32_t i : positions) seen[i >> 6] |= uint64_t{1} << (i & 63);
  };
  auto look_up = [&](const AlertPostings::Map& map, absl::string_view key) {
    auto it = map.find(key);
    if (it != map.end()) mark(it->second);
  };
  mark(p.always);
  for (const NoticeUnit& u : n.units) {
    for (absl::string_view code : u.cpv) {
      for (size_t len = 2; len <= code.size() && len <= 8; ++len) {
        look_up(p.cpv, code.substr(0, len));
      }
    }
    for (absl::string_view code : u.nuts) {
      for (size_t len = 2; len <= code.size(); ++len) {
        look_up(p.nuts, code.substr(0, len));
      }
    }
  }
  look_up(p.countries, n.tender->buyer().country());
  auto stemmed = p.stemmed.find(n.language);
  for (const AnalysedField& f : n.fields) {
    for (const std::string& term : f.plain) look_up(p.plain, term);
    if (stemmed == p.stemmed.end()) continue;
    for (const std::string& term : f.stemmed) look_up(stemmed->second, term);
  }
  std::vector<uint32_t> out;
  for (size_t w = 0; w < seen.size(); ++w) {
    for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
      out.push_back(static_cast<uint32_t>(w * 64 + __builtin_ctzll(bits)));
    }
  }
  return out;
}

namespace {

// What the quick check found, so that explaining does not search again:
// the first phrase that occurs and its field, the first pattern that
// matches (-1: none, or the rule has none).
struct Found {
  int phrase = -1;
  int field = -1;
  int pattern = -1;
};

// Whether every criterion of `compiled` holds for `n`. With `reasons` null,
// a quick check that fills `*found`: no words, no lots, and the profile
// (the costly Matcher) is left out. Otherwise, after a quick check that
// held, the reasons, the lots in `alert`, and the profile.
absl::StatusOr<bool> CheckCriteria(const CompiledAlertRule& compiled,
                                   const PreparedNotice& n,
                                   const EvaluationContext& context,
                                   std::vector<std::string>* reasons,
                                   Found* found, v1::Alert* alert) {
  const v1::AlertRule& r = compiled.rule;
  const v1::Tender& t = *n.tender;
  const bool explain = reasons != nullptr;
  if (r.notice_kinds_size() > 0) {
    if (std::find(r.notice_kinds().begin(), r.notice_kinds().end(),
                  t.notice_kind()) == r.notice_kinds().end()) {
      return false;
    }
    if (explain) reasons->push_back(KindWords(t.notice_kind()));
  }
  if (r.legal_bases_size() > 0) {
    if (std::find(r.legal_bases().begin(), r.legal_bases().end(),
                  t.legal_basis()) == r.legal_bases().end()) {
      return false;
    }
    if (explain) {
      reasons->push_back(
          absl::StrCat("under ", LegalBasisWords(t.legal_basis())));
    }
  }
  if (r.languages_size() > 0) {
    if (std::find(r.languages().begin(), r.languages().end(), n.language) ==
        r.languages().end()) {
      return false;
    }
    if (explain) reasons->push_back(absl::StrCat("written in ", n.language));
  }
  if (r.buyer_countries_size() > 0) {
    const std::string& country = t.buyer().country();
    if (std::find(r.buyer_countries().begin(), r.buyer_countries().end(),
                  country) == r.buyer_countries().end()) {
      return false;
    }
    if (explain) reasons->push_back(absl::StrCat("buyer in ", country));
  }
  if (r.deadline_open()) {
    if (!t.has_submission_deadline()) return false;
    const absl::Time deadline =
        absl::FromUnixSeconds(t.submission_deadline().seconds());
    if (!(deadline > context.now)) return false;
    if (explain) {
      reasons->push_back(absl::StrCat(
          "submission deadline ",
          absl::FormatTime("%Y-%m-%d %H:%M UTC", deadline, absl::UTCTimeZone()),
          " is still open"));
    }
  }
  if (r.cpv_prefixes_size() > 0 || r.exclude_cpv_prefixes_size() > 0 ||
      r.nuts_prefixes_size() > 0 || r.has_min_value() || r.has_max_value()) {
    bool any = false;
    for (const NoticeUnit& u : n.units) {
      if (!explain) {
        if (UnitMatches(r, u, nullptr)) {
          any = true;
          break;
        }
        continue;
      }
      std::vector<std::string> unit_reasons;
      if (!UnitMatches(r, u, &unit_reasons)) continue;
      if (u.lot != nullptr) alert->add_lot_ids(u.lot->id());
      if (!any) {
        for (std::string& s : unit_reasons) {
          reasons->push_back(u.lot == nullptr
                                 ? std::move(s)
                                 : absl::StrCat("lot ", u.lot->id(), ": ", s));
        }
      }
      any = true;
    }
    if (!any) return false;
  }
  if (!compiled.phrases.empty()) {
    if (!explain) {
      // The first phrase found, in the first field, as the reason names.
      for (size_t i = 0; i < compiled.phrases.size() && found->phrase < 0;
           ++i) {
        const AlertPhrase& p = compiled.phrases[i];
        for (int k = 0; k < 2; ++k) {
          const AnalysedField& f = Hashed(n.fields[k]);
          if ((p.language == n.language &&
               ContainsPhrase(f.stemmed, f.stemmed_hashes, p.stemmed,
                              p.stemmed_hashes)) ||
              ContainsPhrase(f.plain, f.plain_hashes, p.plain,
                             p.plain_hashes)) {
            found->phrase = static_cast<int>(i);
            found->field = k;
            break;
          }
        }
      }
      if (found->phrase < 0) return false;
    } else {
      reasons->push_back(absl::StrCat("'", compiled.phrases[found->phrase].text,
                                      "' in the ",
                                      n.fields[found->field].name));
    }
  }
  if (!compiled.include_patterns.empty()) {
    if (!explain) {
      for (size_t i = 0;
           i < compiled.include_patterns.size() && found->pattern < 0; ++i) {
        if (RE2::PartialMatch(FoldedText(n), *compiled.include_patterns[i])) {
          found->pattern = static_cast<int>(i);
        }
      }
      if (found->pattern < 0) return false;
    } else {
      std::string text;
      PatternFinds(*compiled.include_patterns[found->pattern], FoldedText(n),
                   &text);
      reasons->push_back(absl::StrCat("pattern '",
                                      r.keyword_patterns(found->pattern),
                                      "' matches \"", text, "\""));
    }
  }
  if (!explain) {
    for (const auto& re : compiled.exclude_patterns) {
      if (RE2::PartialMatch(FoldedText(n), *re)) return false;
    }
  }
  if (r.has_profile() && explain) {
    if (context.matcher == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("alert rule \"", r.id(),
                       "\": profile: needs a Matcher in the context"));
    }
    v1::MatchRequest request;
    *request.mutable_tender() = t;
    absl::StatusOr<v1::MatchResponse> explained =
        context.matcher->Explain(request, r.profile().supplier_id());
    // An unknown supplier cannot be eligible: the rule does not alert.
    if (absl::IsNotFound(explained.status())) return false;
    if (!explained.ok()) {
      return absl::Status(explained.status().code(),
                          absl::StrCat("alert rule \"", r.id(), "\": profile: ",
                                       explained.status().message()));
    }
    if (explained->matches_size() == 0) return false;
    const double score = explained->matches(0).score();
    if (score < r.profile().min_score()) return false;
    reasons->push_back(absl::StrFormat("score %.2f for supplier %s \u2265 %g",
                                       score, r.profile().supplier_id(),
                                       r.profile().min_score()));
  }
  return true;
}

}  // namespace

absl::StatusOr<bool> VerifyAlertRule(const CompiledAlertRule& compiled,
                                     const PreparedNotice& n,
                                     const EvaluationContext& context,
                                     v1::Alert* alert) {
  const v1::AlertRule& r = compiled.rule;
  const v1::Tender& t = *n.tender;
  if (r.disabled()) return false;
  // Most candidates fail some criterion: find out before saying anything.
  Found found;
  absl::StatusOr<bool> holds =
      CheckCriteria(compiled, n, context, nullptr, &found, nullptr);
  if (!holds.ok() || !*holds) return holds;
  std::vector<std::string> reasons;
  alert->clear_lot_ids();
  holds = CheckCriteria(compiled, n, context, &reasons, &found, alert);
  if (!holds.ok() || !*holds) return holds;
  alert->set_rule_id(r.id());
  alert->set_rule_name(r.name());
  alert->set_subscriber(r.subscriber());
  alert->set_tender_id(t.id());
  alert->set_title(t.title());
  alert->mutable_reasons()->Assign(reasons.begin(), reasons.end());
  return true;
}

}  // namespace internal
}  // namespace procmatch
