#include "procmatch/eforms_importer.h"

#include <map>
#include <pugixml.hpp>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/internal/xml_util.h"
#include "procmatch/iso_codes.h"
#include "procmatch/nuts.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using internal::Children;
using internal::Descendants;
using internal::First;
using internal::LocalName;
using internal::Text;

// The first direct child with that local name (or an empty node).
pugi::xml_node Child(const pugi::xml_node& node, absl::string_view name) {
  std::vector<pugi::xml_node> c = Children(node, name);
  return c.empty() ? pugi::xml_node() : c.front();
}

// The buyer's main activity in TED's vocabulary (Buyer.main_activity), from
// an eForms authority-activity or entity-activity code, so that a buyer
// reads the same from TED XML and eForms notices: "gen-pub" ->
// "GENERAL_PUBLIC_SERVICES", "water" -> "WATER". "other" names nothing
// buyers share: "". An unknown code is kept, upper-cased.
std::string TedActivity(const std::string& code) {
  static const auto* kTed = new std::map<std::string, std::string>{
      // authority-activity
      {"defence", "DEFENCE"},
      {"econ-aff", "ECONOMIC_AND_FINANCIAL_AFFAIRS"},
      {"education", "EDUCATION"},
      {"env-pro", "ENVIRONMENT"},
      {"gen-pub", "GENERAL_PUBLIC_SERVICES"},
      {"hc-am", "HOUSING_AND_COMMUNITY_AMENITIES"},
      {"health", "HEALTH"},
      {"pub-os", "PUBLIC_ORDER_AND_SAFETY"},
      {"rcr", "RECREATION_CULTURE_AND_RELIGION"},
      {"soc-pro", "SOCIAL_PROTECTION"},
      // entity-activity
      {"airport", "AIRPORT_RELATED_ACTIVITIES"},
      {"electricity", "ELECTRICITY"},
      {"gas-heat", "PRODUCTION_TRANSPORT_DISTRIBUTION_GAS_HEAT"},
      {"gas-oil", "EXPLORATION_EXTRACTION_GAS_OIL"},
      {"port", "PORT_RELATED_ACTIVITIES"},
      {"post", "POSTAL_SERVICES"},
      {"rail", "RAILWAY_SERVICES"},
      {"solid-fuel", "EXPLORATION_EXTRACTION_COAL_OTHER_SOLID_FUEL"},
      {"urttb", "URBAN_RAILWAY_TRAMWAY_TROLLEYBUS_BUS"},
      {"water", "WATER"},
      {"other", ""},
  };
  auto it = kTed->find(code);
  return it != kTed->end() ? it->second : absl::AsciiStrToUpper(code);
}

// A path of direct children.
pugi::xml_node Path(pugi::xml_node node,
                    std::initializer_list<absl::string_view> names) {
  for (absl::string_view n : names) {
    if (!node) break;
    node = Child(node, n);
  }
  return node;
}

// eForms codelists this importer reads, with their codes.
const std::map<std::string, std::set<std::string>>& Codelists() {
  static const auto* lists = new std::map<std::string, std::set<std::string>>{
      {"procurement-procedure-type",
       {"open", "restricted", "neg-w-call", "neg-wo-call", "comp-dial",
        "innovation", "comp-tend", "oth-single", "oth-mult", "exp-int-rail"}},
      {"contract-nature", {"works", "supplies", "services", "combined"}},
      {"number-threshold", {"max-pass", "min-score"}},
      {"winner-selection-status", {"selec-w", "clos-nw", "open-nw"}},
      {"economic-operator-size", {"micro", "small", "medium", "large", "sme"}},
  };
  return *lists;
}

v1::ProcedureType ProcedureOf(absl::string_view code) {
  if (code == "open") return v1::PROCEDURE_TYPE_OPEN;
  if (code == "restricted") return v1::PROCEDURE_TYPE_RESTRICTED;
  if (code == "neg-w-call")
    return v1::PROCEDURE_TYPE_NEGOTIATED_WITH_PUBLICATION;
  if (code == "neg-wo-call") {
    return v1::PROCEDURE_TYPE_NEGOTIATED_WITHOUT_PUBLICATION;
  }
  if (code == "comp-dial") return v1::PROCEDURE_TYPE_COMPETITIVE_DIALOGUE;
  if (code == "innovation") return v1::PROCEDURE_TYPE_INNOVATION_PARTNERSHIP;
  if (code == "comp-tend") return v1::PROCEDURE_TYPE_COMPETITIVE_NEGOTIATION;
  return code.empty() ? v1::PROCEDURE_TYPE_UNSPECIFIED
                      : v1::PROCEDURE_TYPE_OTHER;
}

v1::LegalBasis LegalBasisOf(absl::string_view celex) {
  if (celex == "32009L0081")
    return v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC;
  if (celex == "32014L0024") return v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU;
  if (celex == "32014L0025") {
    return v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU;
  }
  if (celex == "32014L0023") {
    return v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU;
  }
  return celex.empty() ? v1::LEGAL_BASIS_UNSPECIFIED : v1::LEGAL_BASIS_OTHER;
}

// "2019-10-23+01:00" or "2019-10-23Z": the calendar day.
// The Tender id of the notice a change notice changes, from BT-758
// "<notice id>-<2-digit version>": "EF-<notice id>", the id the notice was
// imported under. Empty for an empty identifier.
std::string ChangedTenderId(absl::string_view identifier) {
  identifier = absl::StripAsciiWhitespace(identifier);
  const size_t dash = identifier.rfind('-');
  if (dash != absl::string_view::npos && identifier.size() - dash == 3 &&
      absl::ascii_isdigit(identifier[dash + 1]) &&
      absl::ascii_isdigit(identifier[dash + 2])) {
    identifier = identifier.substr(0, dash);
  }
  return identifier.empty() ? "" : absl::StrCat("EF-", identifier);
}

bool ParseEformsDay(absl::string_view text, v1::Date* date) {
  absl::StatusOr<v1::Date> d = ParseDate(text.substr(0, 10));
  if (!d.ok()) return false;
  *date = *d;
  return true;
}

class EformsReader {
 public:
  EformsReader(absl::string_view source, const pugi::xml_node& root,
               ImportedNotice* out, internal::NoticeWarnings* warnings)
      : source_(source), root_(root), warnings_(warnings), t_(out->tender) {}

  absl::Status Read() {
    const std::string kind(LocalName(root_));
    if (kind == "ContractAwardNotice") {
      t_.set_notice_kind(v1::NOTICE_KIND_CONTRACT_AWARD);
    } else if (kind == "ContractNotice") {
      t_.set_notice_kind(v1::NOTICE_KIND_CONTRACT_NOTICE);
    } else if (kind == "PriorInformationNotice") {
      t_.set_notice_kind(v1::NOTICE_KIND_PRIOR_INFORMATION);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          source_, ": root element <", root_.name(),
          "> is not an eForms ContractNotice, ContractAwardNotice or "
          "PriorInformationNotice"));
    }
    CheckCodelists();
    const std::string id = Text(Child(root_, "ID"));
    if (id.empty()) Missing("notice identifier (cbc:ID, BT-701)");
    t_.set_id(absl::StrCat("EF-", id));
    t_.set_source_notice_id(id);

    v1::Date issued;
    if (ParseEformsDay(Text(Child(root_, "IssueDate")), &issued)) {
      t_.mutable_published()->set_seconds(absl::ToUnixSeconds(
          absl::FromCivil(ToCivilDay(issued), absl::UTCTimeZone())));
    } else {
      Missing("dispatch date (cbc:IssueDate, BT-05)");
    }
    const std::string lang_code = Text(Child(root_, "NoticeLanguageCode"));
    const std::string lang = LanguageAlpha2(lang_code);
    if (lang.empty()) {
      Missing(
          absl::StrCat("notice language (cbc:NoticeLanguageCode, BT-702)",
                       lang_code.empty() ? "" : ": unknown code " + lang_code));
    }
    t_.set_language(lang);
    t_.set_legal_basis(LegalBasisOf(Text(Child(root_, "RegulatoryDomain"))));
    t_.set_procedure(
        ProcedureOf(Text(Path(root_, {"TenderingProcess", "ProcedureCode"}))));

    ReadOrganizations();
    ReadBuyer();
    const pugi::xml_node project = Child(root_, "ProcurementProject");
    t_.set_title(Text(Child(project, "Name")));
    t_.set_description(Text(Child(project, "Description")));
    ReadCodes(project, "the procedure", t_.mutable_main_cpv(),
              t_.mutable_additional_cpv());
    ReadPlaces(project, t_.mutable_nuts_codes());
    v1::Money value;
    if (ReadAmount(Path(project, {"RequestedTenderTotal",
                                  "EstimatedOverallContractAmount"}),
                   &value)) {
      *t_.mutable_estimated_value() = value;
    }
    ReadLots();
    if (t_.title().empty()) {
      // A single-lot notice may title only its lot.
      if (t_.lots_size() == 1 && !t_.lots(0).title().empty()) {
        t_.set_title(t_.lots(0).title());
      } else {
        Missing("title (cac:ProcurementProject/cbc:Name, BT-21)");
      }
    }
    if (t_.main_cpv().empty() && t_.lots_size() > 0) {
      t_.set_main_cpv(t_.lots(0).main_cpv());
    }
    if (t_.main_cpv().empty()) {
      Missing("main classification (cbc:ItemClassificationCode, BT-262)");
    }
    if (t_.notice_kind() != v1::NOTICE_KIND_PRIOR_INFORMATION &&
        t_.lots_size() == 0) {
      Missing(
          "lot (cac:ProcurementProjectLot with cbc:ID schemeName=\"Lot\", "
          "BT-137)");
    }
    if (t_.notice_kind() == v1::NOTICE_KIND_CONTRACT_AWARD) ReadResults();
    // Awards name lots by id; ids must be unique and short for validation.
    internal::NormaliseLotIds(&t_, [this](std::string w) { Warn(w); });
    if (First(root_, "Changes")) {
      const std::string changed =
          Text(First(First(root_, "Changes"), "ChangedNoticeIdentifier"));
      t_.set_changes_notice_id(ChangedTenderId(changed));
      Warn(absl::StrCat(
          "change notice for ", changed,
          ": imported as it stands; procmatch does not apply changes to the "
          "notice they change, so import that notice too"));
    }
    if (!missing_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ": not a usable notice: missing ",
                       absl::StrJoin(missing_, "; missing ")));
    }
    return absl::OkStatus();
  }

 private:
  void Warn(absl::string_view what) {
    warnings_->Add(absl::StrCat(source_, ": ", what));
  }
  void Missing(std::string what) { missing_.push_back(std::move(what)); }

  // Codes of the codelists read here must be codelist members. A code is
  // the element's own text: the text of its whole subtree would make this
  // quadratic on nested elements that all carry a listName.
  void CheckCodelists() {
    std::vector<pugi::xml_node> stack = {root_};
    while (!stack.empty()) {
      pugi::xml_node n = stack.back();
      stack.pop_back();
      for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        stack.push_back(c);
        auto list = Codelists().find(c.attribute("listName").value());
        if (list == Codelists().end()) continue;
        const std::string code = internal::OwnText(c);
        if (!list->second.count(code)) {
          Warn(absl::StrCat("<", c.name(), "> code \"", code.substr(0, 64),
                            code.size() > 64 ? "...\"" : "\"",
                            " is not in the eForms codelist ", list->first));
        }
      }
    }
  }

  struct Organization {
    std::string name, country, town, nuts;
    bool sme = false;
  };

  void ReadOrganizations() {
    for (const pugi::xml_node& org : Descendants(root_, "Organization")) {
      const pugi::xml_node company = Child(org, "Company");
      if (!company) continue;
      Organization o;
      o.name = Text(Path(company, {"PartyName", "Name"}));
      const pugi::xml_node address = Child(company, "PostalAddress");
      o.town = Text(Child(address, "CityName"));
      o.nuts = Text(Child(address, "CountrySubentityCode"));
      const std::string alpha3 =
          Text(Path(address, {"Country", "IdentificationCode"}));
      o.country = CountryAlpha2(alpha3);
      if (!alpha3.empty() && o.country.empty()) {
        Warn(absl::StrCat("organization \"", o.name, "\": country \"", alpha3,
                          "\" is not ISO 3166 alpha-3"));
      }
      const std::string size = Text(Child(company, "CompanySizeCode"));
      o.sme = size == "micro" || size == "small" || size == "medium" ||
              size == "sme";
      organizations_[Text(Path(company, {"PartyIdentification", "ID"}))] = o;
    }
  }

  void ReadBuyer() {
    const std::string id = Text(Path(
        root_, {"ContractingParty", "Party", "PartyIdentification", "ID"}));
    auto it = organizations_.find(id);
    if (id.empty() || it == organizations_.end()) {
      Missing(
          "buyer (cac:ContractingParty/cac:Party with an organization, "
          "OPT-300)");
      return;
    }
    t_.mutable_buyer()->set_name(it->second.name);
    t_.mutable_buyer()->set_country(it->second.country);
    if (!it->second.nuts.empty()) {
      t_.mutable_buyer()->set_nuts_code(internal::NutsCode2021(
          it->second.nuts, absl::StrCat(source_, ": buyer"), warnings_));
    }
    t_.mutable_buyer()->set_main_activity(
        TedActivity(Text(Path(root_, {"ContractingParty", "ContractingActivity",
                                      "ActivityTypeCode"}))));
  }

  void ReadCodes(const pugi::xml_node& project, absl::string_view where,
                 std::string* main,
                 google::protobuf::RepeatedPtrField<std::string>* additional) {
    auto parse = [&](const pugi::xml_node& node) -> std::string {
      const std::string code = Text(node);
      if (code.empty()) return "";
      absl::StatusOr<CpvCode> c = CpvTaxonomy::Builtin().Parse(code);
      if (!c.ok()) {
        Warn(absl::StrCat(where, ": ", c.status().message(), "; dropped"));
        return "";
      }
      return c->ToString();
    };
    *main = parse(Path(
        project, {"MainCommodityClassification", "ItemClassificationCode"}));
    for (const pugi::xml_node& a :
         Children(project, "AdditionalCommodityClassification")) {
      std::string code = parse(Child(a, "ItemClassificationCode"));
      if (!code.empty() && code != *main) additional->Add(std::move(code));
    }
  }

  void ReadPlaces(const pugi::xml_node& project,
                  google::protobuf::RepeatedPtrField<std::string>* nuts) {
    for (const pugi::xml_node& loc : Children(project, "RealizedLocation")) {
      std::string code = Text(Path(loc, {"Address", "CountrySubentityCode"}));
      if (code.empty()) {
        // A place given by country only.
        code = CountryAlpha2(
            Text(Path(loc, {"Address", "Country", "IdentificationCode"})));
        code = NutsCountryOfIso(code);
      }
      code = internal::NutsCode2021(code, absl::StrCat(source_, ": place"),
                                    warnings_);
      if (!code.empty() &&
          std::find(nuts->begin(), nuts->end(), code) == nuts->end()) {
        nuts->Add(std::move(code));
      }
    }
  }

  // True, with `money` filled, when `node` holds an amount > 0 with a
  // currency.
  static bool ReadAmount(const pugi::xml_node& node, v1::Money* money) {
    double amount;
    const std::string currency = node.attribute("currencyID").value();
    if (!node || currency.empty() || !absl::SimpleAtod(Text(node), &amount) ||
        amount <= 0) {
      return false;
    }
    money->set_amount(amount);
    money->set_currency(currency);
    return true;
  }

  void ReadLots() {
    for (const pugi::xml_node& lot : Children(root_, "ProcurementProjectLot")) {
      const pugi::xml_node id = Child(lot, "ID");
      if (absl::string_view(id.attribute("schemeName").value()) != "Lot") {
        continue;  // Groups of lots and parts.
      }
      v1::Lot* l = t_.add_lots();
      l->set_id(Text(id));
      if (l->id().empty()) {
        Missing(absl::StrCat("lot identifier (cbc:ID, BT-137) of lot ",
                             t_.lots_size()));
        l->set_id(absl::StrCat("lot-", t_.lots_size()));
      }
      const pugi::xml_node project = Child(lot, "ProcurementProject");
      l->set_title(Text(Child(project, "Name")));
      l->set_description(Text(Child(project, "Description")));
      ReadCodes(project, absl::StrCat("lot ", l->id()), l->mutable_main_cpv(),
                l->mutable_additional_cpv());
      ReadPlaces(project, l->mutable_nuts_codes());
      v1::Money value;
      if (ReadAmount(Path(project, {"RequestedTenderTotal",
                                    "EstimatedOverallContractAmount"}),
                     &value)) {
        *l->mutable_estimated_value() = value;
      }
      v1::Date deadline;
      if (ParseEformsDay(
              Text(Path(lot, {"TenderingProcess",
                              "TenderSubmissionDeadlinePeriod", "EndDate"})),
              &deadline)) {
        const int64_t seconds = absl::ToUnixSeconds(
            absl::FromCivil(ToCivilDay(deadline), absl::UTCTimeZone()));
        if ((!t_.has_submission_deadline() ||
             seconds < t_.submission_deadline().seconds()) &&
            (!t_.has_published() || seconds >= t_.published().seconds())) {
          t_.mutable_submission_deadline()->set_seconds(seconds);
        }
      }
    }
  }

  void ReadResults() {
    const pugi::xml_node result = First(root_, "NoticeResult");
    if (!result) {
      Warn("award notice without results (efac:NoticeResult, BG-556)");
      return;
    }
    // Index the result parts by id.
    std::map<std::string, pugi::xml_node> tenders, parties, contracts;
    for (const auto& n : Children(result, "LotTender")) {
      tenders[Text(Child(n, "ID"))] = n;
    }
    for (const auto& n : Children(result, "TenderingParty")) {
      parties[Text(Child(n, "ID"))] = n;
    }
    for (const auto& n : Children(result, "SettledContract")) {
      contracts[Text(Child(n, "ID"))] = n;
    }
    for (const pugi::xml_node& lr : Children(result, "LotResult")) {
      if (Text(Child(lr, "TenderResultCode")) != "selec-w") continue;
      v1::ContractAward award;
      award.set_lot_id(Text(Path(lr, {"TenderLot", "ID"})));
      for (const pugi::xml_node& ref : Children(lr, "LotTender")) {
        auto tender = tenders.find(Text(Child(ref, "ID")));
        if (tender == tenders.end()) {
          Warn(absl::StrCat("result ", Text(Child(lr, "ID")), ": tender ",
                            Text(Child(ref, "ID")), " is not described"));
          continue;
        }
        v1::Money paid;
        if (ReadAmount(
                Path(tender->second, {"LegalMonetaryTotal", "PayableAmount"}),
                &paid)) {
          *award.mutable_value() = paid;
        }
        auto party =
            parties.find(Text(Path(tender->second, {"TenderingParty", "ID"})));
        if (party == parties.end()) continue;
        for (const pugi::xml_node& tenderer :
             Children(party->second, "Tenderer")) {
          auto org = organizations_.find(Text(Child(tenderer, "ID")));
          if (org == organizations_.end() || org->second.name.empty()) {
            Warn(absl::StrCat("winner ", Text(Child(tenderer, "ID")),
                              " is not a described organization"));
            continue;
          }
          v1::Awardee* w = award.add_winners();
          w->set_name(org->second.name);
          w->set_country(org->second.country);
          w->set_town(org->second.town);
          w->set_sme(org->second.sme);
          if (!org->second.nuts.empty()) {
            w->set_nuts_code(internal::NutsCode2021(
                org->second.nuts, absl::StrCat(source_, ": winner"),
                warnings_));
          }
        }
      }
      for (const pugi::xml_node& ref : Children(lr, "SettledContract")) {
        auto contract = contracts.find(Text(Child(ref, "ID")));
        v1::Date day;
        if (contract != contracts.end() &&
            ParseEformsDay(Text(Child(contract->second, "IssueDate")), &day)) {
          *award.mutable_award_date() = day;
        }
      }
      if (award.winners_size() > 0) *t_.add_awards() = std::move(award);
    }
  }

  std::string source_;
  pugi::xml_node root_;
  internal::NoticeWarnings* warnings_;
  v1::Tender& t_;
  std::map<std::string, Organization> organizations_;
  std::vector<std::string> missing_;
};

}  // namespace

absl::StatusOr<ImportedNotice> ImportEforms(absl::string_view source,
                                            absl::string_view xml,
                                            const ImportLimits& limits) {
  ImportedNotice out;
  internal::NoticeWarnings warnings(&out.warnings, limits.max_warnings);
  pugi::xml_document doc;
  absl::Status parsed =
      internal::ParseXml(source, xml, limits.max_xml_depth, &doc, &warnings);
  if (!parsed.ok()) return parsed;
  EformsReader reader(source, doc.document_element(), &out, &warnings);
  absl::Status read = reader.Read();
  if (!read.ok()) return read;
  warnings.Finish(source);
  Validator validator;
  absl::Status valid = validator.ValidateTender(out.tender);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": imported record is invalid: ", valid.message()));
  }
  return out;
}

}  // namespace procmatch
