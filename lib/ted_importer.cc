#include "procmatch/ted_importer.h"

#include <algorithm>
#include <pugixml.hpp>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/internal/json_scan.h"
#include "procmatch/internal/xml_util.h"
#include "procmatch/iso_codes.h"
#include "procmatch/nuts.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using internal::Children;
using internal::Descendants;
using internal::First;
using internal::Text;

// Collects the tender and its warnings for one notice.
class Reader {
 public:
  Reader(absl::string_view source, internal::NoticeWarnings* warnings)
      : source_(source), warnings_(warnings) {}

  void Warn(absl::string_view what) {
    warnings_->Add(absl::StrCat(source_, ": ", what));
  }

  // Lot ids unique and short enough, awards following them.
  void NormaliseLotIds(v1::Tender* t) {
    internal::NormaliseLotIds(t, [this](std::string w) { Warn(w); });
  }

  // The last warning, when some were dropped.
  void Finish() { warnings_->Finish(source_); }

  // A CPV code (with or without check digit) as the vocabulary knows it, or
  // "" with a warning.
  std::string Cpv(absl::string_view code, absl::string_view where) {
    absl::StatusOr<CpvCode> c = CpvTaxonomy::Builtin().Parse(code);
    if (!c.ok()) {
      Warn(absl::StrCat(where, ": ", c.status().message(), "; dropped"));
      return "";
    }
    return c->ToString();
  }

  std::string Nuts(absl::string_view code, absl::string_view where) {
    return internal::NutsCode2021(code, absl::StrCat(source_, ": ", where),
                                  warnings_);
  }

  // ISO country of a TED country value ("UK" and "EL" as TED writes them).
  std::string Country(absl::string_view value, absl::string_view where) {
    if (value.empty()) return "";
    const std::string iso = IsoCountryOfNuts(absl::AsciiStrToUpper(value));
    if (!IsIsoCountry(iso)) {
      Warn(absl::StrCat(where, ": country \"", value,
                        "\" is not ISO 3166; dropped"));
      return "";
    }
    return iso;
  }

 private:
  std::string source_;
  internal::NoticeWarnings* warnings_;
};

bool ParseAmount(absl::string_view text, double* amount) {
  std::string digits;
  for (char c : text) {
    if (absl::ascii_isdigit(c)) digits.push_back(c);
    if (c == '.' || c == ',') digits.push_back('.');
  }
  return !digits.empty() && absl::SimpleAtod(digits, amount) && *amount > 0;
}

// "20210111" or "20210205 13:00" (UTC) as a Timestamp.
bool ParseTedTime(absl::string_view text, google::protobuf::Timestamp* ts) {
  int y, m, d, hh = 0, mm = 0;
  if (text.size() < 8 || !absl::SimpleAtoi(text.substr(0, 4), &y) ||
      !absl::SimpleAtoi(text.substr(4, 2), &m) ||
      !absl::SimpleAtoi(text.substr(6, 2), &d)) {
    return false;
  }
  if (text.size() >= 14) {
    absl::SimpleAtoi(text.substr(9, 2), &hh);
    absl::SimpleAtoi(text.substr(12, 2), &mm);
  }
  const absl::CivilMinute t(y, m, d, hh, mm);
  if (t.year() != y || t.month() != m || t.day() != d) return false;
  ts->set_seconds(absl::ToUnixSeconds(absl::FromCivil(t, absl::UTCTimeZone())));
  return true;
}

// A <DAY><MONTH><YEAR> group, or "2021-11-25" text.
bool ParseDay(const pugi::xml_node& node, v1::Date* date) {
  if (!node) return false;
  int y, m, d;
  if (First(node, "YEAR") && absl::SimpleAtoi(Text(First(node, "YEAR")), &y) &&
      absl::SimpleAtoi(Text(First(node, "MONTH")), &m) &&
      absl::SimpleAtoi(Text(First(node, "DAY")), &d)) {
    date->set_year(y);
    date->set_month(m);
    date->set_day(d);
    return CheckDate(*date).ok();
  }
  absl::StatusOr<v1::Date> parsed = ParseDate(Text(node));
  if (!parsed.ok()) return false;
  *date = *parsed;
  return true;
}

// From the coded DIRECTIVE ("2009/81/EC") or the form's LEGAL_BASIS, a CELEX
// number ("32014L0024").
v1::LegalBasis LegalBasisOf(absl::string_view directive,
                            absl::string_view form) {
  const std::pair<const char*, v1::LegalBasis> kKnown[] = {
      {"2009/81", v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC},
      {"32009L0081", v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC},
      {"2014/24", v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU},
      {"32014L0024", v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU},
      {"2014/25", v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU},
      {"32014L0025", v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU},
      {"2014/23", v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU},
      {"32014L0023", v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU}};
  for (const auto& [marker, basis] : kKnown) {
    if (absl::StrContains(directive, marker)) return basis;
  }
  if (absl::StrContains(form, "DEFENCE")) {
    return v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC;
  }
  return directive.empty() ? v1::LEGAL_BASIS_UNSPECIFIED
                           : v1::LEGAL_BASIS_OTHER;
}

v1::NoticeKind NoticeKindOf(absl::string_view document_type) {
  const std::string t = absl::AsciiStrToLower(document_type);
  if (absl::StrContains(t, "award")) return v1::NOTICE_KIND_CONTRACT_AWARD;
  if (absl::StrContains(t, "prior information") ||
      absl::StrContains(t, "periodic indicative")) {
    return v1::NOTICE_KIND_PRIOR_INFORMATION;
  }
  if (absl::StrContains(t, "contract notice")) {
    return v1::NOTICE_KIND_CONTRACT_NOTICE;
  }
  return t.empty() ? v1::NOTICE_KIND_UNSPECIFIED : v1::NOTICE_KIND_OTHER;
}

v1::ProcedureType ProcedureOf(absl::string_view procedure) {
  const std::string p = absl::AsciiStrToLower(procedure);
  if (p.empty()) return v1::PROCEDURE_TYPE_UNSPECIFIED;
  if (absl::StrContains(p, "open")) return v1::PROCEDURE_TYPE_OPEN;
  if (absl::StrContains(p, "restricted")) return v1::PROCEDURE_TYPE_RESTRICTED;
  if (absl::StrContains(p, "without")) {
    return v1::PROCEDURE_TYPE_NEGOTIATED_WITHOUT_PUBLICATION;
  }
  if (absl::StrContains(p, "competitive dialogue")) {
    return v1::PROCEDURE_TYPE_COMPETITIVE_DIALOGUE;
  }
  if (absl::StrContains(p, "competitive procedure with negotiation")) {
    return v1::PROCEDURE_TYPE_COMPETITIVE_NEGOTIATION;
  }
  if (absl::StrContains(p, "innovation")) {
    return v1::PROCEDURE_TYPE_INNOVATION_PARTNERSHIP;
  }
  if (absl::StrContains(p, "negotiated")) {
    return v1::PROCEDURE_TYPE_NEGOTIATED_WITH_PUBLICATION;
  }
  return v1::PROCEDURE_TYPE_OTHER;
}

// The form to read: the original-language one.
pugi::xml_node OriginalForm(const pugi::xml_node& form_section,
                            absl::string_view language) {
  pugi::xml_node fallback;
  for (pugi::xml_node f = form_section.first_child(); f; f = f.next_sibling()) {
    if (f.type() != pugi::node_element) continue;
    if (!fallback) fallback = f;
    if (absl::string_view(f.attribute("CATEGORY").value()) == "ORIGINAL") {
      return f;
    }
    if (absl::EqualsIgnoreCase(f.attribute("LG").value(), language)) {
      fallback = f;
    }
  }
  return fallback;
}

void AddCodes(Reader& r, const pugi::xml_node& cpv_node,
              absl::string_view where, std::string* main,
              std::vector<std::string>* additional) {
  for (const pugi::xml_node& m : Descendants(cpv_node, "CPV_MAIN")) {
    for (const pugi::xml_node& c : Descendants(m, "CPV_CODE")) {
      std::string code = r.Cpv(c.attribute("CODE").value(), where);
      if (!code.empty() && main->empty()) *main = code;
    }
  }
  for (const pugi::xml_node& a : Descendants(cpv_node, "CPV_ADDITIONAL")) {
    for (const pugi::xml_node& c : Descendants(a, "CPV_CODE")) {
      std::string code = r.Cpv(c.attribute("CODE").value(), where);
      if (!code.empty() && code != *main &&
          std::find(additional->begin(), additional->end(), code) ==
              additional->end()) {
        additional->push_back(code);
      }
    }
  }
}

void ReadLots(Reader& r, const pugi::xml_node& form, v1::Tender* t) {
  // Ids as the notice gives them; NormaliseLotIds makes them unique.
  auto add_lot = [&](const pugi::xml_node& node, std::string id,
                     const std::string& title, const std::string& description) {
    if (id.empty()) id = absl::StrCat(t->lots_size() + 1);
    v1::Lot* lot = t->add_lots();
    lot->set_id(id);
    lot->set_title(title);
    lot->set_description(description);
    std::string main;
    std::vector<std::string> additional;
    AddCodes(r, node, absl::StrCat("lot ", id), &main, &additional);
    // 2014 forms give a lot only additional codes, the main one first.
    if (main.empty() && !additional.empty()) {
      main = additional.front();
      additional.erase(additional.begin());
    }
    lot->set_main_cpv(main);
    for (auto& c : additional) lot->add_additional_cpv(c);
    for (const pugi::xml_node& n : Descendants(node, "NUTS")) {
      std::string code =
          r.Nuts(n.attribute("CODE").value(), absl::StrCat("lot ", id));
      if (!code.empty()) lot->add_nuts_codes(code);
    }
  };
  // 2014 forms: OBJECT_DESCR per lot, numbered when the contract has lots.
  const pugi::xml_node object = First(form, "OBJECT_CONTRACT");
  const std::vector<pugi::xml_node> descrs = Children(object, "OBJECT_DESCR");
  const bool numbered = std::any_of(
      descrs.begin(), descrs.end(),
      [](const pugi::xml_node& d) { return bool(First(d, "LOT_NO")); });
  if (numbered || descrs.size() > 1) {
    for (const pugi::xml_node& d : descrs) {
      add_lot(d, Text(First(d, "LOT_NO")), Text(First(d, "TITLE")),
              Text(First(d, "SHORT_DESCR")));
    }
  }
  // Defence forms 16 and 17: annex B per lot.
  for (const char* annex : {"F16_ANNEX_B", "F17_ANNEX_B"}) {
    for (const pugi::xml_node& b : Descendants(form, annex)) {
      add_lot(b, Text(First(b, "LOT_NUMBER")), Text(First(b, "LOT_TITLE")),
              Text(First(b, "LOT_DESCRIPTION")));
    }
  }
}

v1::Awardee Winner(Reader& r, const pugi::xml_node& address,
                   const pugi::xml_node& contractor, absl::string_view where) {
  v1::Awardee w;
  w.set_name(Text(First(address, "OFFICIALNAME")));
  w.set_town(Text(First(address, "TOWN")));
  w.set_country(
      r.Country(First(address, "COUNTRY").attribute("VALUE").value(), where));
  const pugi::xml_node nuts = First(address, "NUTS");
  if (nuts) w.set_nuts_code(r.Nuts(nuts.attribute("CODE").value(), where));
  w.set_identifier(Text(First(address, "NATIONALID")));
  w.set_sme(contractor && bool(Children(contractor, "SME").size()));
  return w;
}

void ReadAwards(Reader& r, const pugi::xml_node& form, v1::Tender* t) {
  // 2014 forms: AWARD_CONTRACT per lot.
  for (const pugi::xml_node& a : Descendants(form, "AWARD_CONTRACT")) {
    const pugi::xml_node awarded = First(a, "AWARDED_CONTRACT");
    if (!awarded) continue;  // Not awarded (NO_AWARDED_CONTRACT).
    v1::ContractAward award;
    award.set_lot_id(Text(First(a, "LOT_NO")));
    award.set_title(Text(First(a, "TITLE")));
    const std::string where = absl::StrCat("award ", t->awards_size() + 1);
    for (const pugi::xml_node& c : Descendants(awarded, "CONTRACTOR")) {
      v1::Awardee w = Winner(r, First(c, "ADDRESS_CONTRACTOR"), c, where);
      if (!w.name().empty()) *award.add_winners() = std::move(w);
    }
    v1::Date day;
    if (ParseDay(First(awarded, "DATE_CONCLUSION_CONTRACT"), &day)) {
      *award.mutable_award_date() = day;
    }
    const pugi::xml_node total = First(awarded, "VAL_TOTAL");
    double amount;
    if (total && ParseAmount(Text(total), &amount)) {
      award.mutable_value()->set_amount(amount);
      award.mutable_value()->set_currency(total.attribute("CURRENCY").value());
    }
    if (award.winners_size() > 0) *t->add_awards() = std::move(award);
  }
  // Defence form 18: AWARD_OF_CONTRACT_DEFENCE per contract.
  for (const pugi::xml_node& a :
       Descendants(form, "AWARD_OF_CONTRACT_DEFENCE")) {
    v1::ContractAward award;
    award.set_lot_id(Text(First(a, "LOT_NUMBER")));
    award.set_title(Text(First(a, "CONTRACT_TITLE")));
    const std::string where = absl::StrCat("award ", t->awards_size() + 1);
    for (const pugi::xml_node& op :
         Descendants(a, "ECONOMIC_OPERATOR_NAME_ADDRESS")) {
      v1::Awardee w = Winner(r, op, pugi::xml_node(), where);
      if (!w.name().empty()) *award.add_winners() = std::move(w);
    }
    v1::Date day;
    if (ParseDay(First(a, "CONTRACT_AWARD_DATE"), &day)) {
      *award.mutable_award_date() = day;
    }
    const pugi::xml_node cost = First(a, "VALUE_COST");
    double amount;
    if (cost && ParseAmount(Text(cost), &amount)) {
      award.mutable_value()->set_amount(amount);
      award.mutable_value()->set_currency(
          cost.parent().attribute("CURRENCY").value());
    }
    if (award.winners_size() > 0) *t->add_awards() = std::move(award);
  }
  // An award for a lot the notice does not describe gets that lot, so that
  // every award's lot exists.
  if (t->lots_size() == 0) return;
  for (const v1::ContractAward& a : t->awards()) {
    if (a.lot_id().empty()) continue;
    bool known = false;
    for (const v1::Lot& l : t->lots()) known = known || l.id() == a.lot_id();
    if (!known) {
      v1::Lot* lot = t->add_lots();
      lot->set_id(a.lot_id());
      lot->set_title(a.title());
    }
  }
}

}  // namespace

absl::StatusOr<ImportedNotice> ImportTedXml(absl::string_view source,
                                            absl::string_view xml,
                                            const ImportLimits& limits) {
  ImportedNotice out;
  internal::NoticeWarnings warnings(&out.warnings, limits.max_warnings);
  pugi::xml_document doc;
  absl::Status parsed =
      internal::ParseXml(source, xml, limits.max_xml_depth, &doc, &warnings);
  if (!parsed.ok()) return parsed;
  const pugi::xml_node root = doc.document_element();
  if (internal::LocalName(root) != "TED_EXPORT") {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": root element <", root.name(),
                     "> is not <TED_EXPORT>: not a TED XML export"));
  }
  Reader r(source, &warnings);
  v1::Tender& t = out.tender;
  const std::string doc_id = root.attribute("DOC_ID").value();
  if (doc_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": <TED_EXPORT> has no DOC_ID attribute"));
  }
  t.set_id(absl::StrCat("TED-", doc_id));
  t.set_source_notice_id(doc_id);
  t.set_source_url(absl::StrCat(
      "https://ted.europa.eu/udl?uri=TED:NOTICE:", doc_id, ":TEXT:EN:HTML"));

  const pugi::xml_node coded = First(root, "CODED_DATA_SECTION");
  if (!coded) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": no <CODED_DATA_SECTION>"));
  }
  const std::string language =
      absl::AsciiStrToLower(Text(First(coded, "LG_ORIG")));
  if (IsIsoLanguage(language)) {
    t.set_language(language);
  } else if (!language.empty()) {
    r.Warn(absl::StrCat("LG_ORIG \"", language, "\" is not ISO 639-1"));
  }
  google::protobuf::Timestamp ts;
  if (ParseTedTime(Text(First(coded, "DATE_PUB")), &ts)) {
    *t.mutable_published() = ts;
  } else {
    r.Warn("no publication date (DATE_PUB)");
  }
  if (ParseTedTime(Text(First(coded, "DT_DATE_FOR_SUBMISSION")), &ts) &&
      (!t.has_published() || ts.seconds() >= t.published().seconds())) {
    *t.mutable_submission_deadline() = ts;
  }
  t.mutable_buyer()->set_country(r.Country(
      First(coded, "ISO_COUNTRY").attribute("VALUE").value(), "ISO_COUNTRY"));
  std::string activity =
      absl::AsciiStrToUpper(Text(First(coded, "MA_MAIN_ACTIVITIES")));
  std::replace(activity.begin(), activity.end(), ' ', '_');
  t.mutable_buyer()->set_main_activity(activity);
  t.set_notice_kind(NoticeKindOf(Text(First(coded, "TD_DOCUMENT_TYPE"))));
  t.set_procedure(ProcedureOf(Text(First(coded, "PR_PROC"))));
  for (const pugi::xml_node& n : Descendants(coded, "PERFORMANCE_NUTS")) {
    std::string code = r.Nuts(n.attribute("CODE").value(), "PERFORMANCE_NUTS");
    if (!code.empty() && std::find(t.nuts_codes().begin(), t.nuts_codes().end(),
                                   code) == t.nuts_codes().end()) {
      t.add_nuts_codes(code);
    }
  }
  for (const pugi::xml_node& v :
       Descendants(First(coded, "VALUES_LIST"), "VALUE")) {
    double amount;
    if (ParseAmount(Text(v), &amount) && v.attribute("CURRENCY")) {
      t.mutable_estimated_value()->set_amount(amount);
      t.mutable_estimated_value()->set_currency(
          v.attribute("CURRENCY").value());
      break;
    }
  }

  const pugi::xml_node form =
      OriginalForm(First(root, "FORM_SECTION"), language);
  if (!form) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": <FORM_SECTION> holds no form"));
  }
  std::string directive = First(coded, "DIRECTIVE").attribute("VALUE").value();
  if (directive.empty()) {
    directive = First(form, "LEGAL_BASIS").attribute("VALUE").value();
  }
  t.set_legal_basis(LegalBasisOf(directive, form.name()));
  const pugi::xml_node object = First(form, "OBJECT_CONTRACT");
  pugi::xml_node title = First(form, "TITLE_CONTRACT");
  if (!title && object)
    title = Children(object, "TITLE").empty()
                ? pugi::xml_node()
                : Children(object, "TITLE").front();
  if (!title) title = First(form, "TITLE");
  t.set_title(Text(title));
  pugi::xml_node description = First(form, "SHORT_CONTRACT_DESCRIPTION");
  if (!description && object) {
    std::vector<pugi::xml_node> d = Children(object, "SHORT_DESCR");
    if (!d.empty()) description = d.front();
  }
  t.set_description(Text(description));
  if (t.title().empty() && t.description().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": form <", form.name(),
                     "> has neither a title nor a description"));
  }
  t.mutable_buyer()->set_name(Text(First(form, "OFFICIALNAME")));

  // CPV: the form's main code first, then every other coded code.
  std::string main;
  std::vector<std::string> additional;
  pugi::xml_node cpv_scope = object ? object : First(form, "CPV");
  if (cpv_scope) AddCodes(r, cpv_scope, "CPV", &main, &additional);
  for (const pugi::xml_node& c : Descendants(coded, "ORIGINAL_CPV")) {
    std::string code = r.Cpv(c.attribute("CODE").value(), "ORIGINAL_CPV");
    if (code.empty()) continue;
    if (main.empty()) {
      main = code;
    } else if (code != main && std::find(additional.begin(), additional.end(),
                                         code) == additional.end()) {
      additional.push_back(code);
    }
  }
  t.set_main_cpv(main);
  for (auto& c : additional) t.add_additional_cpv(c);

  ReadLots(r, form, &t);
  ReadAwards(r, form, &t);
  r.NormaliseLotIds(&t);
  r.Finish();

  Validator validator;
  absl::Status valid = validator.ValidateTender(t);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": imported record is invalid: ", valid.message()));
  }
  return out;
}

namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

const char* KindName(const Value& v) {
  switch (v.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kNumberValue:
      return "a number";
    case Value::kStringValue:
      return "a string";
    case Value::kBoolValue:
      return "a boolean";
    case Value::kStructValue:
      return "an object";
    case Value::kListValue:
      return "a list";
    default:
      return "nothing";
  }
}

// Typed access to the fields of one JSON object; a field of the wrong type
// is ignored with a warning naming it ("lots[2].winners: a string, not a
// list; ignored"). Null stands for absent.
class JsonFields {
 public:
  JsonFields(Reader& r, const Struct& s, std::string where)
      : r_(r), s_(s), where_(std::move(where)) {}

  std::string Str(const std::string& name) const {
    const Value* v = Get(name, Value::kStringValue, "a string");
    return v == nullptr ? "" : v->string_value();
  }

  const ListValue& List(const std::string& name) const {
    static const auto* empty = new ListValue();
    const Value* v = Get(name, Value::kListValue, "a list");
    return v == nullptr ? *empty : v->list_value();
  }

  // The field when it holds a number, or null.
  const Value* Number(const std::string& name) const {
    return Get(name, Value::kNumberValue, "a number");
  }

  bool Bool(const std::string& name) const {
    const Value* v = Get(name, Value::kBoolValue, "a boolean");
    return v != nullptr && v->bool_value();
  }

  // The path of a field, for warnings.
  std::string Where(const std::string& name) const {
    return where_.empty() ? name : absl::StrCat(where_, ".", name);
  }

 private:
  const Value* Get(const std::string& name, Value::KindCase kind,
                   const char* expected) const {
    auto it = s_.fields().find(name);
    if (it == s_.fields().end() ||
        it->second.kind_case() == Value::kNullValue) {
      return nullptr;
    }
    if (it->second.kind_case() != kind) {
      r_.Warn(absl::StrCat("field ", Where(name), ": ", KindName(it->second),
                           ", not ", expected, "; ignored"));
      return nullptr;
    }
    return &it->second;
  }

  Reader& r_;
  const Struct& s_;
  std::string where_;
};

// The objects of a list; other elements are ignored with a warning.
std::vector<const Struct*> Objects(Reader& r, const ListValue& list,
                                   const std::string& where) {
  std::vector<const Struct*> out;
  for (int i = 0; i < list.values_size(); ++i) {
    const Value& v = list.values(i);
    if (v.has_struct_value()) {
      out.push_back(&v.struct_value());
    } else {
      r.Warn(absl::StrCat("field ", where, "[", i, "]: ", KindName(v),
                          ", not an object; ignored"));
    }
  }
  return out;
}

// The strings of a list; other elements are ignored with a warning.
std::vector<std::string> Strings(Reader& r, const ListValue& list,
                                 const std::string& where) {
  std::vector<std::string> out;
  for (int i = 0; i < list.values_size(); ++i) {
    const Value& v = list.values(i);
    if (v.kind_case() == Value::kStringValue) {
      out.push_back(v.string_value());
    } else if (v.kind_case() != Value::kNullValue) {
      r.Warn(absl::StrCat("field ", where, "[", i, "]: ", KindName(v),
                          ", not a string; ignored"));
    }
  }
  return out;
}

v1::NoticeKind KindOfForm(absl::string_view form, bool has_winners) {
  if (has_winners) return v1::NOTICE_KIND_CONTRACT_AWARD;
  if (form == "F01" || form == "F04" || form == "16") {
    return v1::NOTICE_KIND_PRIOR_INFORMATION;
  }
  if (form == "F02" || form == "F05" || form == "17") {
    return v1::NOTICE_KIND_CONTRACT_NOTICE;
  }
  if (form == "F03" || form == "F06" || form == "18") {
    return v1::NOTICE_KIND_CONTRACT_AWARD;
  }
  return v1::NOTICE_KIND_OTHER;
}

}  // namespace

absl::StatusOr<ImportedNotice> ImportTedReducedJson(
    absl::string_view source, absl::string_view line,
    const ImportLimits& limits) {
  line = internal::StripUtf8Bom(line);
  if (static_cast<int64_t>(line.size()) > limits.max_json_line_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": line of ", line.size(), " bytes, longer than the limit of ",
        limits.max_json_line_bytes, " (max_json_line_bytes)"));
  }
  // Before the parser: it takes super-quadratic time on deep nesting, and
  // keeps the last of duplicate keys without a word.
  internal::JsonScanOptions scan;
  scan.max_depth = limits.max_json_depth;
  absl::Status shape = internal::ScanJson(line, scan);
  if (!shape.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", shape.message()));
  }
  Struct s;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &s);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a JSON object: ", parsed.message().as_string()));
  }
  ImportedNotice out;
  internal::NoticeWarnings warnings(&out.warnings, limits.max_warnings);
  // Before the doc_id is known, warnings name the line alone.
  Reader line_reader(source, &warnings);
  const std::string doc_id = JsonFields(line_reader, s, "").Str("doc_id");
  if (doc_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no doc_id"));
  }
  Reader r(absl::StrCat(source, " (", doc_id, ")"), &warnings);
  const JsonFields f(r, s, "");
  v1::Tender& t = out.tender;
  t.set_id(absl::StrCat("TED-", doc_id));
  t.set_source_notice_id(doc_id);
  t.set_title(f.Str("title"));
  t.set_description(f.Str("text"));
  std::string lang = absl::AsciiStrToLower(
      std::string(absl::string_view(f.Str("lang")).substr(0, 2)));
  if (t.title().empty() && t.description().empty()) {
    // Some notices (external aid) carry only TED's English title.
    t.set_title(f.Str("title_en"));
    lang = "en";
    if (t.title().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": notice ", doc_id, " has no title, title_en or text"));
    }
    r.Warn(
        "no title or text in the notice's language; TED's English title used");
  }
  if (IsIsoLanguage(lang)) t.set_language(lang);
  google::protobuf::Timestamp ts;
  const std::string date = f.Str("date");
  if (ParseTedTime(date, &ts)) {
    *t.mutable_published() = ts;
  } else if (!date.empty()) {
    r.Warn(absl::StrCat("field date: \"", date.substr(0, 40),
                        "\" is not a date (YYYYMMDD); ignored"));
  }
  t.mutable_buyer()->set_name(f.Str("buyer"));
  t.mutable_buyer()->set_country(r.Country(f.Str("country"), "country"));
  t.mutable_buyer()->set_main_activity(f.Str("buyer_activity"));
  const std::string form = f.Str("form");
  t.set_legal_basis(LegalBasisOf(f.Str("legal_basis"), form));
  std::string main;
  for (const std::string& c : Strings(r, f.List("cpv"), "cpv")) {
    std::string code = r.Cpv(c, "cpv");
    if (code.empty()) continue;
    if (main.empty()) {
      main = code;
      t.set_main_cpv(code);
    } else if (code != main) {
      t.add_additional_cpv(code);
    }
  }
  for (const std::string& n : Strings(r, f.List("nuts"), "nuts")) {
    std::string code = r.Nuts(n, "nuts");
    if (!code.empty() && std::find(t.nuts_codes().begin(), t.nuts_codes().end(),
                                   code) == t.nuts_codes().end()) {
      t.add_nuts_codes(code);
    }
  }
  const Value* value = f.Number("value_eur");
  if (value != nullptr && value->number_value() > 0) {
    t.mutable_estimated_value()->set_amount(value->number_value());
    t.mutable_estimated_value()->set_currency("EUR");
  }
  bool has_winners = false;
  // Each award's lot by position: a repeated lot id is renamed below, and
  // the award of the second such lot must follow it, not the first.
  std::vector<std::pair<int, int>> award_lots;
  const std::vector<const Struct*> lots = Objects(r, f.List("lots"), "lots");
  for (size_t i = 0; i < lots.size(); ++i) {
    const JsonFields lot(r, *lots[i], absl::StrCat("lots[", i, "]"));
    // Ids as the notice gives them; NormaliseLotIds makes them unique.
    const std::string id = lot.Str("lot");
    int lot_index = -1;
    if (!id.empty()) {
      lot_index = t.lots_size();
      v1::Lot* l = t.add_lots();
      l->set_id(id);
      l->set_title(lot.Str("title"));
      l->set_description(lot.Str("text"));
      for (const std::string& c :
           Strings(r, lot.List("cpv"), lot.Where("cpv"))) {
        std::string code = r.Cpv(c, absl::StrCat("lot ", id));
        if (code.empty()) continue;
        if (l->main_cpv().empty()) {
          l->set_main_cpv(code);
        } else if (code != l->main_cpv()) {
          l->add_additional_cpv(code);
        }
      }
      for (const std::string& n :
           Strings(r, lot.List("nuts"), lot.Where("nuts"))) {
        std::string code = r.Nuts(n, absl::StrCat("lot ", id));
        if (!code.empty()) l->add_nuts_codes(code);
      }
    }
    v1::ContractAward award;
    award.set_lot_id(id);
    award.set_title(lot.Str("title"));
    const std::string where = lot.Where("winners");
    const std::vector<const Struct*> winners =
        Objects(r, lot.List("winners"), where);
    for (size_t j = 0; j < winners.size(); ++j) {
      const JsonFields w(r, *winners[j], absl::StrCat(where, "[", j, "]"));
      v1::Awardee a;
      a.set_name(w.Str("name"));
      if (a.name().empty()) continue;
      a.set_country(r.Country(w.Str("country"), "winner"));
      a.set_town(w.Str("town"));
      a.set_nuts_code(r.Nuts(w.Str("nuts"), "winner"));
      a.set_sme(w.Bool("sme"));
      *award.add_winners() = std::move(a);
    }
    if (award.winners_size() > 0) {
      has_winners = true;
      award_lots.emplace_back(t.awards_size(), lot_index);
      *t.add_awards() = std::move(award);
    }
  }
  t.set_notice_kind(KindOfForm(form, has_winners));
  r.NormaliseLotIds(&t);
  for (const auto& [award, lot] : award_lots) {
    if (lot >= 0) t.mutable_awards(award)->set_lot_id(t.lots(lot).id());
  }
  r.Finish();
  Validator validator;
  absl::Status valid = validator.ValidateTender(t);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": imported record is invalid: ", valid.message()));
  }
  return out;
}

}  // namespace procmatch
