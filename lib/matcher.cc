#include "procmatch/matcher.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <queue>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "procmatch/certification.h"
#include "procmatch/dates.h"
#include "procmatch/internal/cpv_credit.h"
#include "procmatch/text_analyzer.h"
#include "re2/re2.h"

namespace procmatch {
namespace {

using internal::SupplierDoc;

constexpr int kComponents = 7;
enum Component { kCpv, kText, kTrack, kTags, kDesirable, kSize, kProximity };
constexpr v1::ScoreComponentKind kKinds[kComponents] = {
    v1::SCORE_COMPONENT_KIND_CPV,
    v1::SCORE_COMPONENT_KIND_TEXT,
    v1::SCORE_COMPONENT_KIND_TRACK_RECORD,
    v1::SCORE_COMPONENT_KIND_CAPABILITY_TAGS,
    v1::SCORE_COMPONENT_KIND_DESIRABLE_REQUIREMENTS,
    v1::SCORE_COMPONENT_KIND_SIZE_FIT,
    v1::SCORE_COMPONENT_KIND_PROXIMITY};

constexpr double kBm25K1 = 1.2;
constexpr double kBm25B = 0.75;
constexpr int kDefaultTopK = 10;
constexpr int kDefaultMaxExcluded = 100;

// A tender code with what scoring asks of it for every supplier code,
// computed once per query: its credit scorer and each ancestor's rarity.
struct QueryCode {
  CpvCode code;
  double weight;
  internal::CreditScorer credit;
  double rarity[9] = {};  // By depth 2-8: 0.5 + 0.5 idf / idf_max.
};

struct QueryTerm {
  uint32_t id;
  std::string text;
  double weight;  // Query frequency times idf.
};

// A requirement resolved once per query, so that evaluating it for each
// supplier parses and compiles nothing.
struct PreparedRequirement {
  const v1::Requirement* rule = nullptr;
  std::vector<CpvCode> cpv;  // cpv_experience or technology_readiness codes.
  std::string scheme_key;    // certification: NormalizeScheme().
  NutsCode place;            // proximity: its code, else the first place.
  std::unique_ptr<RE2> keyword;  // keyword: compiled inside one group.
};

// A request resolved against one index: everything scoring needs, computed
// once per query.
struct Query {
  const v1::Tender* tender = nullptr;
  const v1::Lot* lot = nullptr;
  std::vector<PreparedRequirement>
      requirements;  // The tender's, then the lot's.
  std::vector<QueryCode> codes;
  double code_weight_sum = 0;
  std::vector<QueryTerm> terms;
  double text_max = 0;
  absl::CivilDay as_of;
  bool has_value = false;
  double value = 0;
  std::string value_currency;
  std::vector<NutsCode> places;
  std::vector<std::string> wanted_tags;
  std::string buyer_key;
  std::string buyer_country;
  double desirable_weight_sum = 0;
  double weight[kComponents] = {};
  int top_k = kDefaultTopK;
  bool include_excluded = false;
  int max_excluded = kDefaultMaxExcluded;
};

std::string LevelName(int level) {
  std::string name = v1::ClearanceLevel_Name(level);
  const std::string prefix = "CLEARANCE_LEVEL_";
  return name.compare(0, prefix.size(), prefix) == 0
             ? name.substr(prefix.size())
             : name;
}

std::string FormatDay(absl::CivilDay day) { return FormatDate(ToDate(day)); }

std::string Amount(double amount, const std::string& currency) {
  if (amount >= 1e6) return absl::StrFormat("%s %.1fM", currency, amount / 1e6);
  if (amount >= 1e3) return absl::StrFormat("%s %.0fk", currency, amount / 1e3);
  return absl::StrFormat("%s %.0f", currency, amount);
}

std::string CodeAndLabel(CpvCode code) {
  return absl::StrCat(code.ToString(), " (", CpvTaxonomy::Builtin().Label(code),
                      ")");
}

// Lower-cases and accent-folds only the non-ASCII parts of an RE2 pattern:
// ASCII is left alone so that escapes such as \S or \D keep their meaning
// (case is handled by compiling case-insensitively).
std::string FoldPattern(absl::string_view pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (static_cast<unsigned char>(pattern[i]) < 0x80) {
      out.push_back(pattern[i++]);
      continue;
    }
    size_t j = i;
    while (j < pattern.size() &&
           static_cast<unsigned char>(pattern[j]) >= 0x80) {
      ++j;
    }
    out += FoldText(pattern.substr(i, j - i));
    i = j;
  }
  return out;
}

// The text a keyword rule is matched against.
std::string KeywordText(const v1::SupplierProfile& p) {
  std::vector<absl::string_view> parts = {p.name(), p.description()};
  for (const auto& c : p.capabilities()) {
    parts.push_back(c.description());
    for (const auto& t : c.tags()) parts.push_back(t);
  }
  for (const auto& c : p.certifications()) parts.push_back(c.scheme());
  for (const auto& c : p.past_contracts()) {
    parts.push_back(c.title());
    parts.push_back(c.description());
  }
  return absl::StrJoin(parts, "\n");
}

// ---------------------------------------------------------------------------
// Requirements.

struct Outcome {
  bool met;
  std::string reason;
};

Outcome Evaluate(const PreparedRequirement& p, const SupplierDoc& d,
                 const Query& q) {
  const v1::Requirement& r = *p.rule;
  switch (r.condition_case()) {
    case v1::Requirement::kCpvExperience: {
      const auto& x = r.cpv_experience();
      const std::vector<CpvCode>& wanted = p.cpv;
      const int need = std::max(1, x.min_contracts());
      int count = 0;
      for (const auto& c : d.contracts) {
        if (x.within_years() > 0) {
          if (!c.has_date || c.date < q.as_of - 365 * x.within_years() -
                                          x.within_years() / 4) {
            continue;
          }
        }
        bool under = false;
        for (CpvCode code : c.cpv) {
          for (CpvCode w : wanted) under = under || w.Covers(code);
        }
        count += under ? 1 : 0;
      }
      std::vector<std::string> names;
      for (CpvCode w : wanted) names.push_back(CodeAndLabel(w));
      const std::string window =
          x.within_years() > 0
              ? absl::StrCat(" in the last ", x.within_years(), " years")
              : "";
      if (count >= need) {
        return {true,
                absl::StrCat(count, " past contract", count > 1 ? "s" : "",
                             " under ", absl::StrJoin(names, ", "), window)};
      }
      return {false,
              absl::StrCat(count == 0 ? "no" : absl::StrCat("only ", count),
                           " past contract", count == 1 ? "" : "s", " under ",
                           absl::StrJoin(names, ", "), window, " (", need,
                           " needed)")};
    }
    case v1::Requirement::kCertification: {
      const internal::Certificate* expired = nullptr;
      for (const auto& c : d.certificates) {
        if (c.scheme_key != p.scheme_key) continue;
        if (c.until >= q.as_of) {
          return {true, c.until == internal::NoExpiry()
                            ? absl::StrCat(c.scheme, " certified")
                            : absl::StrCat(c.scheme, " certified until ",
                                           FormatDay(c.until))};
        }
        expired = &c;
      }
      if (expired != nullptr) {
        return {false, absl::StrCat(expired->scheme, " certificate expired on ",
                                    FormatDay(expired->until))};
      }
      return {false,
              absl::StrCat("no ", r.certification().scheme(), " certificate")};
    }
    case v1::Requirement::kClearance: {
      const int min = r.clearance().min_level();
      int best_valid = 0;
      const internal::DatedLevel* expired = nullptr;
      for (const auto& fc : d.facility_clearances) {
        if (fc.until >= q.as_of) {
          best_valid = std::max(best_valid, fc.level);
        } else if (fc.level >= min) {
          expired = &fc;
        }
      }
      if (best_valid < min) {
        if (expired != nullptr) {
          return {false, absl::StrCat(LevelName(expired->level),
                                      " facility clearance expired on ",
                                      FormatDay(expired->until))};
        }
        if (best_valid == 0) {
          return {false, absl::StrCat("no facility security clearance (",
                                      LevelName(min), " required)")};
        }
        return {false,
                absl::StrCat("facility clearance ", LevelName(best_valid),
                             " is below ", LevelName(min))};
      }
      const int need_staff = r.clearance().min_cleared_staff();
      if (need_staff > 0) {
        int staff = 0;
        for (const auto& [level, count] : d.cleared_staff) {
          if (level >= min) staff += count;
        }
        if (staff < need_staff) {
          return {false, absl::StrCat(staff, " staff cleared ", LevelName(min),
                                      " or above, ", need_staff, " needed")};
        }
      }
      return {true, absl::StrCat(LevelName(best_valid), " facility clearance")};
    }
    case v1::Requirement::kTurnover: {
      const auto& t = r.turnover();
      double threshold;
      std::string currency;
      if (t.has_absolute()) {
        threshold = t.absolute().amount();
        currency = t.absolute().currency();
      } else {
        if (!q.has_value) {
          return {false, "no estimated value to compare turnover with"};
        }
        threshold = t.lot_value_multiple() * q.value;
        currency = q.value_currency;
      }
      if (!d.has_turnover) return {false, "annual turnover not stated"};
      if (d.turnover_currency != currency) {
        return {false, absl::StrCat("turnover in ", d.turnover_currency,
                                    " cannot be compared with ", currency)};
      }
      const std::string s =
          absl::StrCat("turnover ", Amount(d.turnover, currency),
                       d.turnover >= threshold ? " meets " : " is below ",
                       Amount(threshold, currency));
      return {d.turnover >= threshold, s};
    }
    case v1::Requirement::kStaff: {
      const int need = r.staff().min_employees();
      if (d.employees == 0) return {false, "head count not stated"};
      return {d.employees >= need,
              absl::StrCat(d.employees, " employees, ", need, " required")};
    }
    case v1::Requirement::kTechnologyReadiness: {
      const auto& x = r.technology_readiness();
      const std::vector<CpvCode>& under = p.cpv;
      int best = 0;
      for (const auto& cap : d.capability_levels) {
        bool counts = under.empty();
        for (CpvCode u : under) {
          for (CpvCode c : cap.cpv) counts = counts || u.Covers(c);
        }
        if (counts) best = std::max(best, cap.trl);
      }
      if (best == 0) {
        return {false,
                absl::StrCat("no technology readiness level stated (TRL ",
                             x.min_level(), " required)")};
      }
      return {best >= x.min_level(),
              absl::StrCat("TRL ", best, ", TRL ", x.min_level(), " required")};
    }
    case v1::Requirement::kEstablishment: {
      const auto& e = r.establishment();
      std::vector<std::string> problems;
      auto allowed = [&](const std::string& c) {
        return std::find(e.allowed_countries().begin(),
                         e.allowed_countries().end(),
                         c) != e.allowed_countries().end();
      };
      if (e.allowed_countries_size() > 0) {
        if (d.country.empty()) {
          problems.push_back("country of establishment not stated");
        } else if (!allowed(d.country)) {
          problems.push_back(absl::StrCat("established in ", d.country,
                                          ", not an eligible country"));
        }
        if (e.executive_management_in_allowed_country()) {
          if (d.executive_country.empty()) {
            problems.push_back("country of executive management not stated");
          } else if (!allowed(d.executive_country)) {
            problems.push_back(absl::StrCat("executive management in ",
                                            d.executive_country,
                                            ", not an eligible country"));
          }
        }
      }
      if (e.no_third_country_control()) {
        switch (d.third_country_control) {
          case v1::THIRD_COUNTRY_CONTROL_NOT_CONTROLLED:
            break;
          case v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES:
            if (!e.accept_guarantees()) {
              problems.push_back(
                  "controlled by a non-associated third country (guarantees "
                  "not accepted)");
            }
            break;
          case v1::THIRD_COUNTRY_CONTROL_CONTROLLED:
            problems.push_back("controlled by a non-associated third country");
            break;
          default:
            problems.push_back("control by a third country not stated");
        }
      }
      if (problems.empty()) {
        return {true, absl::StrCat("established in ", d.country)};
      }
      return {false, absl::StrJoin(problems, "; ")};
    }
    case v1::Requirement::kEntityType: {
      for (int allowed : r.entity_type().allowed()) {
        if (allowed == d.entity_type) {
          return {true, absl::StrCat("entity type ",
                                     v1::EntityType_Name(d.entity_type))};
        }
      }
      if (d.entity_type == v1::ENTITY_TYPE_UNSPECIFIED) {
        return {false, "entity type not stated"};
      }
      return {false,
              absl::StrCat("entity type ", v1::EntityType_Name(d.entity_type),
                           " is not allowed")};
    }
    case v1::Requirement::kLanguage: {
      for (const std::string& l : d.languages) {
        for (const std::string& want : r.language().any_of()) {
          if (l == want) return {true, absl::StrCat("works in ", l)};
        }
      }
      return {false, absl::StrCat("works in none of ",
                                  absl::StrJoin(r.language().any_of(), ", "))};
    }
    case v1::Requirement::kKeyword: {
      const std::string raw = KeywordText(*d.profile);
      const std::string text =
          r.keyword().case_sensitive() ? raw : FoldText(raw);
      // Patterns are compiled inside one capturing group (Prepare), so
      // group 1 is the text that matched.
      re2::StringPiece match;
      if (p.keyword != nullptr && RE2::PartialMatch(text, *p.keyword, &match)) {
        return {true,
                absl::StrCat("profile mentions \"",
                             std::string(match.data(), match.size()), "\"")};
      }
      return {false, absl::StrCat("profile does not match \"",
                                  r.keyword().pattern(), "\"")};
    }
    case v1::Requirement::kProximity: {
      const int level = r.proximity().level();
      const NutsCode place = p.place;
      if (!place.valid()) {
        return {false, "no place of performance to measure proximity"};
      }
      if (!d.location.valid()) return {false, "location not stated"};
      const NutsCode region =
          place.level() >= level ? place.AtLevel(level) : place;
      if (NutsCode::SameRegion(d.location, region, region.level())) {
        return {true, absl::StrCat("located in ", d.location.code(),
                                   ", within ", region.code())};
      }
      return {false, absl::StrCat("located in ", d.location.code(),
                                  ", outside ", region.code())};
    }
    case v1::Requirement::CONDITION_NOT_SET:
      break;
  }
  return {false, "requirement has no condition"};
}

void AppendOutcome(const v1::Requirement& r, Outcome o,
                   std::vector<v1::RequirementOutcome>* outcomes) {
  v1::RequirementOutcome& out = outcomes->emplace_back();
  out.set_requirement_id(r.id());
  out.set_importance(r.importance());
  out.set_met(o.met);
  out.set_reason(std::move(o.reason));
}

// True when every mandatory requirement holds; fills `reasons` with the
// failed ones when given.
bool Eligible(const Query& q, const SupplierDoc& d,
              std::vector<v1::RequirementOutcome>* reasons) {
  bool eligible = true;
  for (const PreparedRequirement& p : q.requirements) {
    if (p.rule->importance() != v1::IMPORTANCE_MANDATORY) continue;
    Outcome o = Evaluate(p, d, q);
    if (o.met) continue;
    eligible = false;
    if (reasons == nullptr) return false;
    AppendOutcome(*p.rule, std::move(o), reasons);
  }
  return eligible;
}

// ---------------------------------------------------------------------------
// Score components. Each returns a value in [0, 1]; `detail` (optional)
// gets the explanation.

double CpvValue(const Query& q, const SupplierIndex& index,
                const SupplierDoc& d, std::string* detail) {
  if (q.codes.empty()) return 0;
  double sum = 0;
  double best_part = -1;
  for (const QueryCode& qc : q.codes) {
    double best = 0;
    CpvCode best_code;
    int best_depth = 0;
    for (size_t i = 0; i < d.offered_bcd.size(); ++i) {
      int depth;
      const double credit = qc.credit.Credit(d.offered_bcd[i], &depth);
      if (credit == 0) continue;
      const double v = credit * qc.rarity[depth];
      if (v > best) {
        best = v;
        best_code = d.offered_cpv[i];
        best_depth = depth;
      }
    }
    sum += qc.weight * best;
    if (detail != nullptr && best > 0 && qc.weight * best > best_part) {
      best_part = qc.weight * best;
      *detail = best_code == qc.code
                    ? absl::StrCat("exact CPV ", CodeAndLabel(qc.code))
                    : absl::StrCat("CPV ", CodeAndLabel(best_code), " shares ",
                                   CodeAndLabel(qc.code.Truncated(best_depth)),
                                   " with the tender's ", qc.code.ToString());
    }
  }
  return sum / q.code_weight_sum;
}

uint32_t TermFrequency(const SupplierDoc& d, uint32_t term) {
  auto it = std::lower_bound(d.terms.begin(), d.terms.end(), term,
                             [](const std::pair<uint32_t, uint32_t>& p,
                                uint32_t t) { return p.first < t; });
  return it != d.terms.end() && it->first == term ? it->second : 0;
}

// BM25's length normalisation for a supplier's text.
double Bm25Norm(const SupplierIndex& index, const SupplierDoc& d) {
  return kBm25K1 * (1 - kBm25B +
                    kBm25B * d.length / std::max(1.0, index.average_length()));
}

// One query term's BM25 part. Match() sums these term at a time over the
// postings, TextValue() supplier at a time: both add the same parts in query
// term order, so their sums are identical to the bit.
double Bm25Part(const QueryTerm& t, uint32_t tf, double norm) {
  return t.weight * tf * (kBm25K1 + 1) / (tf + norm);
}

bool HasText(const Query& q) { return !q.terms.empty() && q.text_max > 0; }

double TextValue(const Query& q, const SupplierIndex& index,
                 const SupplierDoc& d, std::string* detail) {
  if (!HasText(q)) return 0;
  const double norm = Bm25Norm(index, d);
  double raw = 0;
  std::vector<std::pair<double, std::string>> matched;
  for (const QueryTerm& t : q.terms) {
    const uint32_t tf = TermFrequency(d, t.id);
    if (tf == 0) continue;
    const double part = Bm25Part(t, tf, norm);
    raw += part;
    if (detail != nullptr) matched.emplace_back(-part, t.text);
  }
  if (detail != nullptr && !matched.empty()) {
    std::sort(matched.begin(), matched.end());
    std::vector<std::string> words;
    for (size_t i = 0; i < matched.size() && i < 6; ++i) {
      words.push_back(matched[i].second);
    }
    *detail = absl::StrCat("matched terms: ", absl::StrJoin(words, ", "));
  }
  return raw / q.text_max;
}

double TrackValue(const Query& q, const SupplierDoc& d, std::string* detail) {
  if (q.codes.empty()) return 0;
  double miss = 1;
  int related = 0;
  for (const auto& c : d.contracts) {
    double sim = 0;
    for (const QueryCode& qc : q.codes) {
      for (uint32_t s : c.cpv_bcd) {
        int depth;
        sim = std::max(sim, qc.credit.Credit(s, &depth));
      }
    }
    if (sim == 0) continue;
    ++related;
    double recency = 0.5;
    if (c.has_date) {
      const double years = static_cast<double>(q.as_of - c.date) / 365.25;
      recency = years <= 0 ? 1.0 : std::exp(-years / 5);
    }
    const double buyer =
        0.6 + (c.buyer_country == q.buyer_country ? 0.25 : 0) +
        (!q.buyer_key.empty() && c.buyer_key == q.buyer_key ? 0.15 : 0);
    miss *= 1 - sim * recency * buyer;
  }
  if (detail != nullptr && related > 0) {
    *detail = absl::StrCat(related, " past contract", related > 1 ? "s" : "",
                           " under related CPV codes");
  }
  return 1 - miss;
}

double TagValue(const Query& q, const SupplierDoc& d, std::string* detail) {
  if (q.wanted_tags.empty()) return 0;
  std::vector<std::string> have;
  for (const std::string& t : q.wanted_tags) {
    if (std::binary_search(d.tags.begin(), d.tags.end(), t)) have.push_back(t);
  }
  if (detail != nullptr && !have.empty()) {
    *detail = absl::StrCat("has ", absl::StrJoin(have, ", "), " of ",
                           q.wanted_tags.size(), " wanted tags");
  }
  return static_cast<double>(have.size()) / q.wanted_tags.size();
}

double DesirableValue(const Query& q, const SupplierDoc& d, std::string* detail,
                      std::vector<v1::RequirementOutcome>* outcomes) {
  double met_weight = 0;
  int met = 0, total = 0;
  for (const PreparedRequirement& p : q.requirements) {
    const v1::Requirement& r = *p.rule;
    const bool desirable = r.importance() == v1::IMPORTANCE_DESIRABLE;
    if (!desirable && outcomes == nullptr) continue;
    Outcome o = Evaluate(p, d, q);
    if (desirable) {
      ++total;
      if (o.met) {
        ++met;
        met_weight += r.weight() > 0 ? r.weight() : 1.0;
      }
    }
    if (outcomes != nullptr) AppendOutcome(r, std::move(o), outcomes);
  }
  if (total == 0) return 0;
  if (detail != nullptr) {
    *detail = absl::StrCat(met, " of ", total, " desirable requirements met");
  }
  return met_weight / q.desirable_weight_sum;
}

double SizeValue(const Query& q, const SupplierDoc& d, std::string* detail) {
  if (!q.has_value || q.value <= 0 || !d.has_turnover ||
      d.turnover_currency != q.value_currency) {
    return 0;
  }
  const double v = std::min(1.0, d.turnover / (3 * q.value));
  if (detail != nullptr) {
    *detail =
        absl::StrCat("turnover ", Amount(d.turnover, d.turnover_currency),
                     " for a value of ", Amount(q.value, q.value_currency));
  }
  return v;
}

double ProximityValue(const Query& q, const SupplierDoc& d,
                      std::string* detail) {
  if (q.places.empty() || !d.location.valid()) return 0;
  double best = 0;
  for (const NutsCode& p : q.places) {
    const int common =
        std::min(NutsCode::CommonLevel(d.location, p), p.level());
    if (common < 0) continue;
    const double v = static_cast<double>(common + 1) / (p.level() + 1);
    if (v > best) {
      best = v;
      if (detail != nullptr) {
        *detail = absl::StrCat("located in ", d.location.code(),
                               ", place of "
                               "performance ",
                               p.code());
      }
    }
  }
  return best;
}

double Combine(const Query& q, const double value[kComponents]) {
  double score = 0;
  for (int i = 0; i < kComponents; ++i) score += q.weight[i] * value[i];
  return score;
}

// Scores an eligible supplier.
// Scores an eligible supplier. A component without weight contributes
// exactly 0 whatever its value, so it is not computed.
double Score(const Query& q, const SupplierIndex& index, const SupplierDoc& d,
             double value[kComponents]) {
  auto weighted = [&](int c) { return q.weight[c] > 0; };
  value[kCpv] = weighted(kCpv) ? CpvValue(q, index, d, nullptr) : 0;
  value[kText] = weighted(kText) ? TextValue(q, index, d, nullptr) : 0;
  value[kTrack] = weighted(kTrack) ? TrackValue(q, d, nullptr) : 0;
  value[kTags] = weighted(kTags) ? TagValue(q, d, nullptr) : 0;
  value[kDesirable] =
      weighted(kDesirable) ? DesirableValue(q, d, nullptr, nullptr) : 0;
  value[kSize] = weighted(kSize) ? SizeValue(q, d, nullptr) : 0;
  value[kProximity] = weighted(kProximity) ? ProximityValue(q, d, nullptr) : 0;
  return Combine(q, value);
}

// ---------------------------------------------------------------------------
// Query preparation.

absl::StatusOr<std::unique_ptr<Query>> Prepare(const v1::MatchRequest& request,
                                               const SupplierIndex& index,
                                               const Validator& validator) {
  absl::Status valid = validator.ValidateMatchRequest(request);
  if (!valid.ok()) return valid;
  auto q = std::make_unique<Query>();
  const v1::Tender& t = request.tender();
  q->tender = &t;
  for (const v1::Lot& lot : t.lots()) {
    if (lot.id() == request.lot_id()) q->lot = &lot;
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  const NutsTaxonomy& nuts = NutsTaxonomy::Builtin();

  // Codes: the lot's, else the tender's and every lot's; main codes weigh 1,
  // additional codes 0.5. A code listed twice counts once, at its highest
  // weight.
  auto add_code = [&](const std::string& text, double weight) {
    CpvCode code = *cpv.Parse(text);
    for (QueryCode& qc : q->codes) {
      if (qc.code == code) {
        qc.weight = std::max(qc.weight, weight);
        return;
      }
    }
    q->codes.push_back({code, weight});
  };
  std::string text;
  auto add_lot = [&](const v1::Lot& lot) {
    if (!lot.main_cpv().empty()) add_code(lot.main_cpv(), 1.0);
    for (const auto& c : lot.additional_cpv()) add_code(c, 0.5);
    absl::StrAppend(&text, "\n", lot.title(), "\n", lot.description());
  };
  text = absl::StrCat(t.title(), "\n", t.description());
  if (q->lot != nullptr) {
    add_lot(*q->lot);
    if (q->codes.empty() && !t.main_cpv().empty()) add_code(t.main_cpv(), 1.0);
  } else {
    if (!t.main_cpv().empty()) add_code(t.main_cpv(), 1.0);
    for (const auto& c : t.additional_cpv()) add_code(c, 0.5);
    for (const v1::Lot& lot : t.lots()) add_lot(lot);
  }
  const double n = index.size();
  const double idf_max = std::log(1 + n);
  for (QueryCode& qc : q->codes) {
    q->code_weight_sum += qc.weight;
    qc.credit = internal::CreditScorer(cpv, qc.code);
    for (int d = 2; d <= qc.code.depth(); ++d) {
      const CpvCode up = qc.code.Truncated(d);
      const double df = index.CpvPostings(up).size();
      qc.rarity[d] = 0.5 + 0.5 * std::log(1 + n / std::max(1.0, df)) / idf_max;
    }
  }

  // Text: BM25 over the tender's language's stems.
  const std::string language =
      t.language().empty() ? GuessLanguage(text) : t.language();
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, language);
  if (!terms.ok()) return terms.status();
  std::vector<std::string> sorted = *terms;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const int64_t id = index.TermId(sorted[i]);
    if (id >= 0) {
      const double df = index.TermPostings(static_cast<uint32_t>(id)).size();
      if (df > 0) {
        const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
        q->terms.push_back({static_cast<uint32_t>(id), sorted[i],
                            static_cast<double>(j - i) * idf});
        q->text_max += q->terms.back().weight * (kBm25K1 + 1);
      }
    }
    i = j;
  }

  const v1::MatchOptions& o = request.options();
  if (o.has_as_of()) {
    q->as_of = ToCivilDay(o.as_of());
  } else if (t.has_published()) {
    q->as_of = UtcDay(t.published());
  } else {
    q->as_of = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  }

  const v1::Money* value = nullptr;
  if (q->lot != nullptr && q->lot->has_estimated_value()) {
    value = &q->lot->estimated_value();
  } else if (t.has_estimated_value()) {
    value = &t.estimated_value();
  }
  if (value != nullptr) {
    q->has_value = true;
    q->value = value->amount();
    q->value_currency = value->currency();
  }

  const auto& places = q->lot != nullptr && q->lot->nuts_codes_size() > 0
                           ? q->lot->nuts_codes()
                           : t.nuts_codes();
  for (const std::string& p : places) q->places.push_back(*nuts.Parse(p));

  // Requirements: the tender's, plus the lot's, each resolved once.
  std::vector<const v1::Requirement*> rules;
  for (const auto& r : t.requirements()) rules.push_back(&r);
  if (q->lot != nullptr) {
    for (const auto& r : q->lot->requirements()) rules.push_back(&r);
  }
  for (const v1::Requirement* r : rules) {
    PreparedRequirement& p = q->requirements.emplace_back();
    p.rule = r;
    // The request is validated: every code below parses.
    if (r->has_cpv_experience()) {
      for (const auto& c : r->cpv_experience().cpv_codes()) {
        p.cpv.push_back(*cpv.Parse(c));
      }
    }
    if (r->has_technology_readiness()) {
      for (const auto& c : r->technology_readiness().cpv_codes()) {
        p.cpv.push_back(*cpv.Parse(c));
      }
    }
    if (r->has_certification()) {
      p.scheme_key = NormalizeScheme(r->certification().scheme());
    }
    if (r->has_proximity()) {
      if (!r->proximity().nuts_code().empty()) {
        p.place = *nuts.Parse(r->proximity().nuts_code());
      } else if (!q->places.empty()) {
        p.place = q->places.front();
      }
    }
    if (r->has_keyword()) {
      RE2::Options options;
      options.set_max_mem(validator.options().max_pattern_memory);
      options.set_log_errors(false);
      options.set_case_sensitive(r->keyword().case_sensitive());
      const std::string pattern = r->keyword().case_sensitive()
                                      ? r->keyword().pattern()
                                      : FoldPattern(r->keyword().pattern());
      p.keyword =
          std::make_unique<RE2>(absl::StrCat("(", pattern, ")"), options);
      if (!p.keyword->ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("requirement \"", r->id(),
                         "\": keyword pattern: ", p.keyword->error()));
      }
    }
    if (r->importance() == v1::IMPORTANCE_DESIRABLE) {
      q->desirable_weight_sum += r->weight() > 0 ? r->weight() : 1.0;
    }
  }

  for (const std::string& tag : o.wanted_tags()) {
    q->wanted_tags.push_back(FoldText(tag));
  }
  std::sort(q->wanted_tags.begin(), q->wanted_tags.end());
  q->wanted_tags.erase(
      std::unique(q->wanted_tags.begin(), q->wanted_tags.end()),
      q->wanted_tags.end());
  q->buyer_key = FoldText(t.buyer().name());
  q->buyer_country = t.buyer().country();

  // Weights: defaults or the request's; a component that cannot apply to
  // this query gets none, and the rest are normalised to sum to 1.
  const v1::ScoreWeights& w = o.weights();
  const double raw[kComponents] = {
      w.has_cpv() ? w.cpv() : DefaultWeights::kCpv,
      w.has_text() ? w.text() : DefaultWeights::kText,
      w.has_track_record() ? w.track_record() : DefaultWeights::kTrackRecord,
      w.has_capability_tags() ? w.capability_tags()
                              : DefaultWeights::kCapabilityTags,
      w.has_desirable_requirements() ? w.desirable_requirements()
                                     : DefaultWeights::kDesirableRequirements,
      w.has_size_fit() ? w.size_fit() : DefaultWeights::kSizeFit,
      w.has_proximity() ? w.proximity() : DefaultWeights::kProximity};
  const bool applies[kComponents] = {
      !q->codes.empty(),           !q->terms.empty(),
      !q->codes.empty(),           !q->wanted_tags.empty(),
      q->desirable_weight_sum > 0, q->has_value && q->value > 0,
      !q->places.empty()};
  double total = 0;
  for (int i = 0; i < kComponents; ++i) total += applies[i] ? raw[i] : 0;
  for (int i = 0; i < kComponents; ++i) {
    q->weight[i] = applies[i] && total > 0 ? raw[i] / total : 0;
  }

  q->top_k = o.top_k() > 0 ? o.top_k() : kDefaultTopK;
  q->include_excluded = o.include_excluded();
  q->max_excluded =
      o.max_excluded() > 0 ? o.max_excluded() : kDefaultMaxExcluded;
  return q;
}

// ---------------------------------------------------------------------------
// Results.

struct Ranked {
  double score;
  uint32_t doc;
};

// Higher score first; equal scores by supplier id (= doc order).
bool Better(const Ranked& a, const Ranked& b) {
  return a.score > b.score || (a.score == b.score && a.doc < b.doc);
}

// A response for `request` with its header filled.
v1::MatchResponse NewResponse(const v1::MatchRequest& request,
                              const SupplierIndex& index) {
  v1::MatchResponse response;
  response.set_request_id(request.request_id());
  response.set_tender_id(request.tender().id());
  response.set_lot_id(request.lot_id());
  response.set_index_generation(index.generation());
  return response;
}

void AddExclusion(const SupplierDoc& d,
                  std::vector<v1::RequirementOutcome> reasons,
                  v1::MatchResponse* response) {
  v1::Exclusion* e = response->add_excluded();
  e->set_supplier_id(d.profile->id());
  e->set_supplier_name(d.profile->name());
  for (auto& r : reasons) *e->add_reasons() = std::move(r);
}

v1::SupplierMatch Describe(const Query& q, const SupplierIndex& index,
                           uint32_t doc, double score) {
  const SupplierDoc& d = index.doc(doc);
  v1::SupplierMatch m;
  m.set_supplier_id(d.profile->id());
  m.set_supplier_name(d.profile->name());
  m.set_score(score);
  std::string detail[kComponents];
  std::vector<v1::RequirementOutcome> outcomes;
  const double value[kComponents] = {
      CpvValue(q, index, d, &detail[kCpv]),
      TextValue(q, index, d, &detail[kText]),
      TrackValue(q, d, &detail[kTrack]),
      TagValue(q, d, &detail[kTags]),
      DesirableValue(q, d, &detail[kDesirable], &outcomes),
      SizeValue(q, d, &detail[kSize]),
      ProximityValue(q, d, &detail[kProximity])};
  for (int i = 0; i < kComponents; ++i) {
    if (q.weight[i] == 0) continue;
    v1::ScoreComponent* c = m.add_components();
    c->set_kind(kKinds[i]);
    c->set_value(value[i]);
    c->set_weight(q.weight[i]);
    c->set_contribution(q.weight[i] * value[i]);
    c->set_detail(detail[i]);
  }
  for (auto& o : outcomes) *m.add_requirements() = std::move(o);
  return m;
}

// Lists up to q.max_excluded excluded suppliers; returns how many there are
// in all.
int64_t AddExclusions(const Query& q, const SupplierIndex& index,
                      v1::MatchResponse* response) {
  int64_t excluded = 0;
  for (int doc = 0; doc < index.size(); ++doc) {
    std::vector<v1::RequirementOutcome> reasons;
    if (Eligible(q, index.doc(doc), &reasons)) continue;
    ++excluded;
    if (response->excluded_size() < q.max_excluded) {
      AddExclusion(index.doc(doc), std::move(reasons), response);
    }
  }
  return excluded;
}

v1::MatchResponse Respond(const v1::MatchRequest& request, const Query& q,
                          const SupplierIndex& index,
                          std::vector<Ranked> ranked) {
  v1::MatchResponse response = NewResponse(request, index);
  std::sort(ranked.begin(), ranked.end(), Better);
  for (size_t i = 0; i < ranked.size(); ++i) {
    v1::SupplierMatch m = Describe(q, index, ranked[i].doc, ranked[i].score);
    m.set_rank(static_cast<int>(i) + 1);
    *response.add_matches() = std::move(m);
  }
  if (q.include_excluded) {
    response.mutable_counters()->set_excluded(
        AddExclusions(q, index, &response));
  }
  response.mutable_counters()->set_suppliers_considered(index.size());
  return response;
}

// A bounded heap of the best k, worst on top.
class TopK {
 public:
  explicit TopK(int k) : k_(k) {}
  bool full() const { return static_cast<int>(heap_.size()) >= k_; }
  // The score a newcomer must beat (strictly, ties resolved by Better).
  double threshold() const { return heap_.front().score; }
  void Offer(Ranked r) {
    if (!full()) {
      heap_.push_back(r);
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (Better(r, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = r;
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }
  std::vector<Ranked> Take() && { return std::move(heap_); }

 private:
  int k_;
  std::vector<Ranked> heap_;  // Heap by Better: front is the worst.
};

}  // namespace

Matcher::Matcher(std::shared_ptr<const SupplierIndex> index)
    : index_(std::move(index)) {}

absl::StatusOr<v1::MatchResponse> Matcher::MatchExhaustive(
    const v1::MatchRequest& request) const {
  absl::StatusOr<std::unique_ptr<Query>> prepared =
      Prepare(request, *index_, validator_);
  if (!prepared.ok()) return prepared.status();
  const Query& q = **prepared;
  TopK top(q.top_k);
  int64_t excluded = 0, scored = 0;
  for (int doc = 0; doc < index_->size(); ++doc) {
    const SupplierDoc& d = index_->doc(doc);
    if (!Eligible(q, d, nullptr)) {
      ++excluded;
      continue;
    }
    double value[kComponents];
    top.Offer({Score(q, *index_, d, value), static_cast<uint32_t>(doc)});
    ++scored;
  }
  v1::MatchResponse response =
      Respond(request, q, *index_, std::move(top).Take());
  response.mutable_counters()->set_candidates(index_->size());
  // With exclusions listed, Respond() counted all of them; otherwise only
  // the suppliers evaluated are known to be excluded.
  if (!q.include_excluded) response.mutable_counters()->set_excluded(excluded);
  response.mutable_counters()->set_scored(scored);
  return response;
}

absl::StatusOr<v1::MatchResponse> Matcher::Match(
    const v1::MatchRequest& request) const {
  absl::StatusOr<std::unique_ptr<Query>> prepared =
      Prepare(request, *index_, validator_);
  if (!prepared.ok()) return prepared.status();
  const Query& q = **prepared;
  const SupplierIndex& index = *index_;

  // Candidates: every supplier that can score on CPV, text, track record or
  // tags shares a CPV division with the query or one of its terms or tags.
  // A mandatory certification rule admits only holders of the scheme: the
  // others cannot be eligible and are never looked at.
  std::vector<char> may_pass;
  for (const PreparedRequirement& p : q.requirements) {
    if (p.rule->importance() != v1::IMPORTANCE_MANDATORY ||
        !p.rule->has_certification()) {
      continue;
    }
    std::vector<char> holders(index.size(), 0);
    for (uint32_t doc : index.CertificationPostings(p.scheme_key)) {
      holders[doc] = may_pass.empty() || may_pass[doc];
    }
    may_pass = std::move(holders);
  }
  auto admitted = [&](uint32_t doc) {
    return may_pass.empty() || may_pass[doc];
  };

  // Text relevance is accumulated here, term at a time over the postings.
  std::vector<char> is_candidate(index.size(), 0);
  // Postings that can only raise a component without weight make no
  // candidate: such a supplier scores like any non-candidate.
  if (q.weight[kCpv] > 0 || q.weight[kTrack] > 0) {
    for (const QueryCode& qc : q.codes) {
      for (uint32_t doc : index.CpvPostings(qc.code.Truncated(2))) {
        is_candidate[doc] = 1;
      }
    }
  }
  const bool text = HasText(q) && q.weight[kText] > 0;
  std::vector<double> text_raw(text ? index.size() : 0, 0.0);
  if (text) {
    for (const QueryTerm& t : q.terms) {
      for (const auto& [doc, tf] : index.TermPostings(t.id)) {
        is_candidate[doc] = 1;
        text_raw[doc] += Bm25Part(t, tf, Bm25Norm(index, index.doc(doc)));
      }
    }
  }
  if (q.weight[kTags] > 0) {
    for (const std::string& tag : q.wanted_tags) {
      for (uint32_t doc : index.TagPostings(tag)) is_candidate[doc] = 1;
    }
  }

  TopK top(q.top_k);
  int64_t candidates = 0, excluded = 0, scored = 0;
  auto consider = [&](uint32_t doc) {
    const SupplierDoc& d = index.doc(doc);
    if (!Eligible(q, d, nullptr)) {
      ++excluded;
      return;
    }
    double value[kComponents];
    top.Offer({Score(q, index, d, value), doc});
    ++scored;
  };
  // Two upper bounds on a candidate's score; floating-point sums are
  // monotonic, so each bound computed with Combine() is >= the score.
  //
  // The cheap bound, from the postings alone: for each tender code, the
  // deepest level whose postings hold the supplier caps what any of its
  // codes can earn (CpvCeiling); text is exact (accumulated above); track
  // record, tags, requirements, size and place count at their maximum of 1.
  std::vector<double> cpv_ceiling(index.size(), 0.0);
  if (q.weight[kCpv] > 0 || q.weight[kTrack] > 0) {
    std::vector<uint8_t> level(index.size(), 0);
    std::vector<uint32_t> touched;
    for (const QueryCode& qc : q.codes) {
      const int depth = qc.code.depth();
      // ceiling[d]: the most a supplier code sharing at most d digits with
      // the tender code can earn: 1 for the code itself, 0.8 above it
      // (every other case earns less), times the rarity of the shared code.
      double ceiling[9] = {};
      for (int d = 2; d <= depth; ++d) {
        ceiling[d] =
            std::max(ceiling[d - 1], (d == depth ? 1.0 : 0.8) * qc.rarity[d]);
      }
      // Deeper postings are subsets of shallower ones: the last write is
      // the deepest level.
      for (int d = 2; d <= depth; ++d) {
        for (uint32_t doc : index.CpvPostings(qc.code.Truncated(d))) {
          if (level[doc] == 0) touched.push_back(doc);
          level[doc] = static_cast<uint8_t>(d);
        }
      }
      for (uint32_t doc : touched) {
        cpv_ceiling[doc] += qc.weight * ceiling[level[doc]];
        level[doc] = 0;
      }
      touched.clear();
    }
  }
  auto cheap_bound = [&](uint32_t doc) {
    const bool related = cpv_ceiling[doc] > 0;
    const double bound[kComponents] = {
        cpv_ceiling[doc] / std::max(q.code_weight_sum, 1e-300),
        text ? text_raw[doc] / q.text_max : 0,
        related ? 1.0 : 0.0,
        1,
        1,
        1,
        1};
    return Combine(q, bound);
  };
  // The tight bound: every component exactly but the desirable requirements
  // (keyword rules, dates), which count at their maximum of 1.
  auto tight_bound = [&](uint32_t doc) {
    const SupplierDoc& d = index.doc(doc);
    auto weighted = [&](int c) { return q.weight[c] > 0; };
    const double bound[kComponents] = {
        weighted(kCpv) ? CpvValue(q, index, d, nullptr) : 0,
        text ? text_raw[doc] / q.text_max : 0,
        weighted(kTrack) ? TrackValue(q, d, nullptr) : 0,
        weighted(kTags) ? TagValue(q, d, nullptr) : 0,
        1,
        weighted(kSize) ? SizeValue(q, d, nullptr) : 0,
        weighted(kProximity) ? ProximityValue(q, d, nullptr) : 0};
    return Combine(q, bound);
  };
  // Candidates by decreasing cheap bound, popped from a heap (most are never
  // popped): the loop stops at the first cheap bound below the k-th score,
  // and skips a candidate whose tight bound is below it.
  std::vector<Ranked> bounded;
  for (uint32_t doc = 0; doc < is_candidate.size(); ++doc) {
    if (is_candidate[doc] && admitted(doc)) {
      bounded.push_back({cheap_bound(doc), doc});
    }
  }
  candidates = static_cast<int64_t>(bounded.size());
  auto worse = [](const Ranked& a, const Ranked& b) { return Better(b, a); };
  std::make_heap(bounded.begin(), bounded.end(), worse);
  while (!bounded.empty()) {
    std::pop_heap(bounded.begin(), bounded.end(), worse);
    const Ranked b = bounded.back();
    bounded.pop_back();
    if (top.full() && b.score < top.threshold()) break;
    if (top.full() && tight_bound(b.doc) < top.threshold()) continue;
    consider(b.doc);
  }
  // The rest can score only on requirements, size and place.
  const double rest_value[kComponents] = {0, 0, 0, 0, 1, 1, 1};
  const double rest_bound = Combine(q, rest_value);
  if (!top.full() || rest_bound >= top.threshold()) {
    for (uint32_t doc = 0; doc < is_candidate.size(); ++doc) {
      if (!is_candidate[doc] && admitted(doc)) consider(doc);
    }
  }
  v1::MatchResponse response =
      Respond(request, q, index, std::move(top).Take());
  response.mutable_counters()->set_candidates(candidates);
  // With exclusions listed, Respond() counted all of them; otherwise only
  // the suppliers evaluated are known to be excluded.
  if (!q.include_excluded) response.mutable_counters()->set_excluded(excluded);
  response.mutable_counters()->set_scored(scored);
  return response;
}

absl::StatusOr<v1::MatchResponse> Matcher::Explain(
    const v1::MatchRequest& request, absl::string_view supplier_id) const {
  const int doc = index_->FindDoc(supplier_id);
  if (doc < 0) {
    return absl::NotFoundError(
        absl::StrCat("no supplier \"", supplier_id, "\" in the index"));
  }
  absl::StatusOr<std::unique_ptr<Query>> prepared =
      Prepare(request, *index_, validator_);
  if (!prepared.ok()) return prepared.status();
  const Query& q = **prepared;
  v1::MatchResponse response = NewResponse(request, *index_);
  response.mutable_counters()->set_suppliers_considered(index_->size());
  std::vector<v1::RequirementOutcome> reasons;
  const SupplierDoc& d = index_->doc(doc);
  if (Eligible(q, d, &reasons)) {
    double value[kComponents];
    *response.add_matches() =
        Describe(q, *index_, doc, Score(q, *index_, d, value));
  } else {
    AddExclusion(d, std::move(reasons), &response);
  }
  return response;
}

std::vector<absl::StatusOr<v1::MatchResponse>> Matcher::MatchBatch(
    const std::vector<v1::MatchRequest>& requests, int threads) const {
  std::vector<absl::StatusOr<v1::MatchResponse>> results(
      requests.size(), absl::UnknownError("not matched"));
  if (threads <= 0) {
    threads = std::max(1u, std::thread::hardware_concurrency());
  }
  threads = std::min<int>(threads, std::max<size_t>(1, requests.size()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < requests.size(); i = next++) {
      results[i] = Match(requests[i]);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return results;
}

}  // namespace procmatch
