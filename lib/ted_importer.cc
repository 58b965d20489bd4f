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
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/internal/ted_notice.h"
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

using internal::LegalBasisOf;
using internal::NoticeKindOf;
using internal::ParseAmount;
using internal::ParseTedTime;
using internal::ProcedureOf;
using internal::Reader;

// The buyer's main activity in TED's vocabulary ("GENERAL_PUBLIC_SERVICES",
// "WATER"): the form's CA_ACTIVITY or CE_ACTIVITY code, else the first
// MA_MAIN_ACTIVITIES of the coded data that is not "Other" (its English
// label, upper-cased, runs of other characters as one '_': "Public order
// and safety" -> "PUBLIC_ORDER_AND_SAFETY"); "" when the notice names none.
// "Other" says nothing two buyers would share, so it is left out.
std::string MainActivity(const pugi::xml_node& root,
                         const pugi::xml_node& coded) {
  for (const char* form_field : {"CA_ACTIVITY", "CE_ACTIVITY"}) {
    const std::string code = First(root, form_field).attribute("VALUE").value();
    if (!code.empty()) return code;
  }
  for (const pugi::xml_node& m : Descendants(coded, "MA_MAIN_ACTIVITIES")) {
    std::string activity;
    for (char c : Text(m)) {
      if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
        activity.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
      } else if (!activity.empty() && activity.back() != '_') {
        activity.push_back('_');
      }
    }
    while (!activity.empty() && activity.back() == '_') activity.pop_back();
    if (!activity.empty() && activity != "OTHER") return activity;
  }
  return "";
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
  t.mutable_buyer()->set_main_activity(MainActivity(root, coded));
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

}  // namespace procmatch
