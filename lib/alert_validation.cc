// Validation of alert rules and their updates (validation.h): every
// criterion's codes and values, and RE2 patterns compiled within the
// memory budget as matching will compile them.
#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "procmatch/dates.h"
#include "procmatch/identifiers.h"
#include "procmatch/internal/field_checker.h"
#include "procmatch/iso_codes.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"
#include "procmatch/validation.h"

namespace procmatch {

using internal::Checker;
using internal::Quoted;

namespace {

void CheckCpvPrefixes(
    Checker& c, const CpvTaxonomy& cpv, const std::string& field,
    const google::protobuf::RepeatedPtrField<std::string>& prefixes) {
  for (int i = 0; i < prefixes.size(); ++i) {
    const std::string& prefix = prefixes[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    bool digits = prefix.size() >= 2 && prefix.size() <= 8;
    for (char ch : prefix) digits = digits && absl::ascii_isdigit(ch);
    if (!digits) {
      c.Add(f, absl::StrCat("\"", prefix, "\" is not 2-8 digits"));
    } else if (!cpv.HasCodeWithPrefix(prefix)) {
      c.Add(f, absl::StrCat("no CPV code starts with \"", prefix, "\""));
    }
  }
}

}  // namespace

std::vector<ValidationProblem> Validator::CheckAlertRule(
    const v1::AlertRule& r) const {
  std::vector<ValidationProblem> out;
  Checker c(*this, Quoted("alert rule", r.id(), options_), &out);
  if (auto [field, problem] = internal::OverlongAlertList(r); !field.empty()) {
    c.Add(field, problem);
    return out;  // Nothing more is read of such a rule.
  }
  c.Values(r, "");
  c.Id("id", r.id());
  CheckCpvPrefixes(c, *cpv_, "cpv_prefixes", r.cpv_prefixes());
  CheckCpvPrefixes(c, *cpv_, "exclude_cpv_prefixes", r.exclude_cpv_prefixes());
  for (int i = 0; i < r.nuts_prefixes_size(); ++i) {
    c.Nuts(absl::StrCat("nuts_prefixes[", i, "]"), r.nuts_prefixes(i));
  }
  for (int i = 0; i < r.buyer_countries_size(); ++i) {
    const std::string f = absl::StrCat("buyer_countries[", i, "]");
    if (r.buyer_countries(i).empty()) c.Add(f, "is empty");
    c.Country(f, r.buyer_countries(i));
  }
  for (int i = 0; i < r.languages_size(); ++i) {
    const std::string f = absl::StrCat("languages[", i, "]");
    if (r.languages(i).empty()) c.Add(f, "is empty");
    c.Language(f, r.languages(i));
  }
  c.Language("keyword_language", r.keyword_language());
  for (int i = 0; i < r.notice_kinds_size(); ++i) {
    if (r.notice_kinds(i) == v1::NOTICE_KIND_UNSPECIFIED) {
      c.Add(absl::StrCat("notice_kinds[", i, "]"),
            "is NOTICE_KIND_UNSPECIFIED");
    }
  }
  if (r.has_min_value()) c.Money("min_value", r.min_value());
  if (r.has_max_value()) c.Money("max_value", r.max_value());
  if (r.has_min_value() && r.has_max_value() &&
      r.min_value().currency() != r.max_value().currency()) {
    c.Add("max_value.currency", "differs from min_value.currency");
  } else if (r.has_min_value() && r.has_max_value() &&
             r.min_value().amount() > r.max_value().amount()) {
    c.Add("min_value", "is more than max_value");
  }
  for (int i = 0; i < r.keywords_size(); ++i) {
    const std::string f = absl::StrCat("keywords[", i, "]");
    // Folded without stemming, so that the check does not depend on the
    // language: a keyword of stopwords only still has terms here, and the
    // index refuses it with its language.
    if (FirstInvalidUtf8Offset(r.keywords(i)) < 0 &&
        absl::StripAsciiWhitespace(FoldText(r.keywords(i))).empty()) {
      c.Add(f, "is empty");
    }
  }
  for (int i = 0; i < r.keyword_patterns_size(); ++i) {
    c.Pattern(absl::StrCat("keyword_patterns[", i, "]"), r.keyword_patterns(i),
              /*case_sensitive=*/false);
  }
  for (int i = 0; i < r.exclude_patterns_size(); ++i) {
    c.Pattern(absl::StrCat("exclude_patterns[", i, "]"), r.exclude_patterns(i),
              /*case_sensitive=*/false);
  }
  for (int i = 0; i < r.legal_bases_size(); ++i) {
    if (r.legal_bases(i) == v1::LEGAL_BASIS_UNSPECIFIED) {
      c.Add(absl::StrCat("legal_bases[", i, "]"), "is LEGAL_BASIS_UNSPECIFIED");
    }
  }
  if (r.has_profile()) {
    c.Id("profile.supplier_id", r.profile().supplier_id());
    const double s = r.profile().min_score();
    if (!(s >= 0 && s <= 1)) {
      c.Add("profile.min_score", absl::StrCat(s, " is outside 0-1"));
    }
  }
  return out;
}

std::vector<ValidationProblem> Validator::CheckAlertRuleUpdate(
    const v1::AlertRuleUpdate& u) const {
  std::vector<ValidationProblem> out;
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < u.upserts_size(); ++i) {
    std::vector<ValidationProblem> rule = CheckAlertRule(u.upserts(i));
    for (ValidationProblem& p : rule) {
      p.field =
          absl::StrCat("upserts[", i, "]", p.field.empty() ? "" : ".", p.field);
      out.push_back(std::move(p));
    }
    if (!ids.insert(u.upserts(i).id()).second) {
      out.push_back(ValidationProblem{
          "alert rule update", absl::StrCat("upserts[", i, "].id"),
          absl::StrCat("rule \"", u.upserts(i).id(), "\" given twice")});
    }
  }
  for (int i = 0; i < u.removed_ids_size(); ++i) {
    if (u.removed_ids(i).empty() || ids.contains(u.removed_ids(i))) {
      out.push_back(ValidationProblem{
          "alert rule update", absl::StrCat("removed_ids[", i, "]"),
          u.removed_ids(i).empty() ? "is empty" : "is also upserted"});
    }
  }
  return out;
}

}  // namespace procmatch
