#include "procmatch/track_record.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(CompanyNameKeyTest, LegalFormsAtEitherEnd) {
  EXPECT_EQ(CompanyNameKey("Oy IBM Finland Ab"), "ibm finland");
  EXPECT_EQ(CompanyNameKey("IBM Finland Oy"), "ibm finland");
  EXPECT_EQ(CompanyNameKey("IBM ITALIA S.p.A."), "ibm italia");
  EXPECT_EQ(CompanyNameKey("IBM Italia SpA"), "ibm italia");
  EXPECT_EQ(CompanyNameKey("Thales Belgium S.A."), "thales belgium");
  EXPECT_EQ(CompanyNameKey("THALES BELGIUM SA"), "thales belgium");
  EXPECT_EQ(CompanyNameKey("Metallwerk Elisenhütte GmbH"),
            "metallwerk elisenhutte");
  EXPECT_EQ(CompanyNameKey("Société Générale de Défense SAS"),
            "societe generale de defense");
  EXPECT_EQ(CompanyNameKey("Przedsiębiorstwo Usługowe Sp. z o.o."),
            "przedsiebiorstwo uslugowe");
  EXPECT_EQ(CompanyNameKey("Софтуер ЕООД"), "софтуер");
  EXPECT_EQ(CompanyNameKey("ABC GmbH & Co. KG"), "abc");
  EXPECT_EQ(CompanyNameKey("ECORYS EUROPE EEIG — GEIE"), "ecorys europe");
}

// Real winners of data/ted/notices_dev.jsonl whose names start with a
// legal form, or with a word that is a legal form in another country only.
TEST(CompanyNameKeyTest, LeadingLegalFormsAreTheWinnersCountrys) {
  EXPECT_EQ(CompanyNameKey("AS Eesti Liinirongid", "", "EE"),
            "eesti liinirongid");
  EXPECT_EQ(CompanyNameKey("Oy IBM Finland Ab", "", "FI"), "ibm finland");
  EXPECT_EQ(CompanyNameKey("Ab Tallqvist Infra Oy", "", "FI"),
            "tallqvist infra");
  EXPECT_EQ(CompanyNameKey("SC Habau PPS Pipeline Systems S.R.L.", "", "RO"),
            "habau pps pipeline systems");
  EXPECT_EQ(CompanyNameKey("ЕТ „Мони-8 Методи Георгиев“", "", "BG"),
            "мони 8 методи георгиев");
  EXPECT_EQ(CompanyNameKey("SA Aubonnet et Fils", "", "FR"),
            "aubonnet et fils");
  // "AS" is Estonian, Latvian, Danish, Norwegian, Czech, Slovak: not French
  // or German.
  EXPECT_EQ(CompanyNameKey("AS Formation", "", "FR"), "as formation");
  EXPECT_EQ(CompanyNameKey("AS Fassaden GmbH", "", "DE"), "as fassaden");
  // A trailing form is stripped whatever the country.
  EXPECT_EQ(CompanyNameKey("Formation SA", "", "EE"), "formation");
  // No country: any legal form may lead, as before.
  EXPECT_EQ(CompanyNameKey("AS Formation"), "formation");
  v1::Awardee as_formation, formation;
  as_formation.set_name("AS Formation");
  as_formation.set_country("FR");
  formation.set_name("Formation SAS");
  formation.set_country("FR");
  EXPECT_NE(TrackRecordSupplierId(as_formation),
            TrackRecordSupplierId(formation));
  as_formation.set_country("EE");
  formation.set_country("EE");
  formation.set_name("Formation AS");
  EXPECT_EQ(TrackRecordSupplierId(as_formation),
            TrackRecordSupplierId(formation));
}

TEST(CompanyNameKeyTest, ConservativeWhereItMatters) {
  // Other words count: these are different companies.
  EXPECT_NE(CompanyNameKey("Thales Alenia Space"), CompanyNameKey("Thales"));
  EXPECT_NE(CompanyNameKey("IBM Belgium"), CompanyNameKey("IBM"));
  // A legal form inside a name stays.
  EXPECT_EQ(CompanyNameKey("Banque SA Europe NV"), "banque sa europe");
  // A name that is only a legal form keeps it.
  EXPECT_EQ(CompanyNameKey("S.A."), "sa");
}

// Pairs of spellings of one firm, as they won in data/ted/notices_dev.jsonl.
TEST(CompanyNameKeyTest, RealSpellingsWithSpacedFormsAndQuotesResolveAsOne) {
  const std::pair<const char*, const char*> same[] = {
      {"Mosty Katowice Sp. z o.o.", "Mosty Katowice Sp. z o. o."},
      {"DU Diederichs Projektmanagement AG & Co. KG",
       "DU Diederichs Projektmanagement AG&Co.KG"},
      {"„Бент Ойл“ АД", "БЕНТ ОЙЛ АД"},
      {"Impel Provider Security Partner Sp. z o.o. Sp. k.",
       "IMPEL Provider Security Partner Sp. z o.o. Sp. K."},
  };
  for (const auto& [a, b] : same) {
    EXPECT_EQ(CompanyNameKey(a), CompanyNameKey(b)) << a << " / " << b;
  }
  EXPECT_EQ(CompanyNameKey("Mosty Katowice Sp. z o. o."), "mosty katowice");
  EXPECT_EQ(CompanyNameKey("BETAMONT s. r. o."), "betamont");
  EXPECT_EQ(CompanyNameKey("Seidor, S. A."), "seidor");
  EXPECT_EQ(CompanyNameKey("Hospital Recoletas de Castilla y León, S. L. U."),
            "hospital recoletas de castilla y leon");
  EXPECT_EQ(CompanyNameKey("UFAT-Bildungswerk e. V."), "ufat bildungswerk");
  EXPECT_EQ(CompanyNameKey("Università degli studi di Roma «Tor Vergata»"),
            "universita degli studi di roma tor vergata");
  EXPECT_EQ(CompanyNameKey("ЕТ „Мони-8 Методи Георгиев“"),
            "мони 8 методи георгиев");
  EXPECT_EQ(CompanyNameKey("‘SOF Connect’ AD"), "sof connect");
}

TEST(CompanyNameKeyTest, SpacedFormsAreShortLetterGroupsOnly) {
  // Long words that happen to spell a form are not a spaced form.
  EXPECT_EQ(CompanyNameKey("Bau Gmbhco Kg"), "bau gmbhco");
  EXPECT_EQ(CompanyNameKey("Studio Sa Rl"), "studio");  // "sarl", spaced.
  EXPECT_EQ(CompanyNameKey("Nova Spolkakomandytowa"), "nova spolkakomandytowa");
  // An initial inside the name stays.
  EXPECT_EQ(CompanyNameKey("Biuro Z. Mroczek i Wspólnicy Sp. z o.o."),
            "biuro z mroczek i wspolnicy");
}

// Branches, towns, roles and joint-bid labels around a name, as they won in
// data/ted/notices_dev.jsonl: the same company as the plain spelling.
TEST(CompanyNameKeyTest, BranchTownRoleAndLabelAfterALegalFormGo) {
  EXPECT_EQ(CompanyNameKey("DB Regio AG, Regio Nordost"),
            CompanyNameKey("DB Regio AG"));
  EXPECT_EQ(CompanyNameKey("Vetrea Terveys Oy Joensuu", "Joensuu"),
            CompanyNameKey("Vetrea Terveys Oy"));
  EXPECT_EQ(CompanyNameKey("S.C. Gaz Est S.A. Vaslui", "Vaslui"), "gaz est");
  EXPECT_EQ(CompanyNameKey("IMPEL SAFETY Sp. z o.o. (Partner)"),
            CompanyNameKey("Impel Safety Sp. z o.o."));
  EXPECT_EQ(CompanyNameKey("STEKOP Spółka Akcyjna (Lider Konsorcjum)"),
            "stekop");
  EXPECT_EQ(CompanyNameKey("Konsorcjum: DGP Security Partner Sp. z o.o. "
                           "(lider)"),
            "dgp security partner");
  EXPECT_EQ(CompanyNameKey("Lider konsorcjum – Impel Defender Security "
                           "Partner Sp. z o.o. Sp. k."),
            "impel defender security partner");
  EXPECT_EQ(CompanyNameKey("Κ/Ξ: Δόξα Α.Β.Ε.Τ.Ε. - ΑΕΤΕΘ Α.Ε."),
            CompanyNameKey("Κοινοπραξία Δόξα Α.Β.Ε.Τ.Ε. - ΑΕΤΕΘ Α.Ε."));
  EXPECT_EQ(CompanyNameKey("Biuro Szybkiej Interwencji Z. Mroczek i "
                           "Wspólnicy Sp. z o.o., Sp. komandytowa"),
            "biuro szybkiej interwencji z mroczek i wspolnicy");
  EXPECT_EQ(CompanyNameKey("Debreceni Gyógyfürdő Korlátolt Felelősségű "
                           "Társaság"),
            "debreceni gyogyfurdo");
  EXPECT_EQ(CompanyNameKey("ΘΑΛΗΣ ΠΕΡΙΒΑΛΛΟΝΤΙΚΕΣ ΥΠΗΡΕΣΙΕΣ ΑΝΩΝΥΜΗ "
                           "ΕΤΑΙΡΕΙΑ"),
            CompanyNameKey("Θαλής Περιβαλλοντικές Υπηρεσίες Α.Ε."));
  EXPECT_EQ(CompanyNameKey("FHL Fysiodag ay"), "fhl fysiodag");
}

// Pairs from the same data that look alike and are different companies:
// they must keep two keys.
TEST(CompanyNameKeyTest, SimilarNamesOfDifferentCompaniesStayApart) {
  const std::pair<const char*, const char*> different[] = {
      {"Siemens AG", "Siemens Energy Global GmbH & Co. KG."},
      {"GL Events", "GL Events Live"},
      {"Veolia", "Veolia Eau"},
      {"SADE", "Sade CGTH"},
      {"Impel Provider Security Partner Sp. z o.o. Sp. k.",
       "Impel Safety Security Partner Sp. z o.o. Sp. k."},
      {"Oxleas NHS Foundation Trust", "Stockport NHS Foundation Trust"},
      {"Chambre de commerce et d'industrie de Seine-et-Marne",
       "Chambre de commerce et d'industrie du Val-de-Marne"},
      {"„Иком“ ООД", "„Тилком“ ООД"},
      {"cfppa", "cfppa D'Yssingeaux"},
      // A second member after a dash is a company, not a branch.
      {"Consortium “DAMCO ENERGY S.A. – XIAN ELECTRIC ENGINEERING Co, Ltd”",
       "Damco Energy S.A."},
      {"ATI ICM S.p.A. (mandataria) — ITINERA S.p.A. (mandante)", "ICM S.p.A."},
      // A former name in parentheses is not dropped.
      {"Polregio Sp. z o.o. (Przewozy Regionalne Sp. z o.o.)",
       "Polregio Sp. z o.o."},
      // A town ends a name only after a legal form.
      {"Fysio Joensuu", "Fysio"},
  };
  for (const auto& [a, b] : different) {
    EXPECT_NE(CompanyNameKey(a, "Joensuu"), CompanyNameKey(b, "Joensuu"))
        << a << " / " << b;
  }
  EXPECT_NE(CompanyNameKey("ATI ICM S.p.A. (mandataria) — ITINERA S.p.A. "
                           "(mandante)"),
            CompanyNameKey("ATI ICM S.p.A."));
  // A label before nothing but a legal form is the name.
  EXPECT_EQ(CompanyNameKey("Consortium SA"), "consortium");
  // A hyphen inside a word does not separate.
  EXPECT_EQ(CompanyNameKey("„Мастър-ПИК“ ЕАД"), "мастър пик");
}

v1::Tender AwardNotice(const std::string& doc_id, const std::string& winner,
                       const std::string& country) {
  v1::Tender t;
  t.set_id("TED-" + doc_id);
  t.set_source_notice_id(doc_id);
  t.set_title("Software licences");
  t.set_main_cpv("48000000");
  t.mutable_buyer()->set_name("Valtiokonttori");
  t.mutable_buyer()->set_country("FI");
  v1::Awardee* w = t.add_awards()->add_winners();
  w->set_name(winner);
  w->set_country(country);
  return t;
}

TEST(TrackRecordBuilderTest, MergesSpellingsWithinACountryOnly) {
  TrackRecordBuilder builder;
  builder.AddAwards(AwardNotice("1-2021", "Oy IBM Finland Ab", "FI"));
  builder.AddAwards(AwardNotice("2-2021", "IBM Finland Oy", "FI"));
  builder.AddAwards(AwardNotice("3-2021", "IBM Finland Oy", "FI"));
  builder.AddAwards(AwardNotice("4-2021", "IBM Finland Oy", "SE"));
  const std::vector<v1::SupplierProfile> suppliers = builder.Build();
  ASSERT_EQ(suppliers.size(), 2u);
  const v1::SupplierProfile& fi = suppliers[0];
  EXPECT_EQ(fi.id(), "ted:FI:ibm-finland");
  EXPECT_EQ(fi.name(), "IBM Finland Oy");  // The most frequent spelling.
  EXPECT_THAT(fi.alternative_names(), ElementsAre("Oy IBM Finland Ab"));
  EXPECT_EQ(fi.past_contracts_size(), 3);
  EXPECT_EQ(fi.past_contracts(0).source_notice_id(), "1-2021");
  EXPECT_THAT(fi.cpv_codes(), ElementsAre("48000000"));
  EXPECT_EQ(suppliers[1].id(), "ted:SE:ibm-finland");
  // The same notice again (from another source) adds nothing.
  EXPECT_FALSE(
      builder.AddAwards(AwardNotice("1-2021", "Oy IBM Finland Ab", "FI")));
  EXPECT_EQ(builder.duplicate_notices(), 1);
  EXPECT_EQ(builder.Build()[0].past_contracts_size(), 3);
  ASSERT_EQ(builder.Merges().size(), 1u);
  EXPECT_THAT(builder.Merges()[0].spellings,
              ElementsAre("IBM Finland Oy", "Oy IBM Finland Ab"));
  Validator validator;
  for (const auto& s : suppliers) {
    EXPECT_TRUE(validator.ValidateSupplier(s).ok())
        << validator.ValidateSupplier(s);
  }
}

// The real award history: every notice of data/ted/notices_dev.jsonl.
TEST(TrackRecordBuilderTest, RealAwardHistoryBuildsValidIndexableProfiles) {
  auto content = ReadFileOrStdin("data/ted/notices_dev.jsonl");
  ASSERT_TRUE(content.ok());
  TrackRecordBuilder builder;
  int imported = 0, rejected = 0, line_number = 0;
  for (absl::string_view line : absl::StrSplit(*content, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    auto notice = ImportTedReducedJson(
        absl::StrCat("notices_dev.jsonl:", line_number), line);
    if (!notice.ok()) {
      ADD_FAILURE() << notice.status();
      ++rejected;
      continue;
    }
    ++imported;
    builder.AddAwards(notice->tender);
  }
  EXPECT_EQ(imported, 1745);
  EXPECT_EQ(rejected, 0);
  const std::vector<v1::SupplierProfile> suppliers = builder.Build();
  // 1,636 distinct winner names (README); merging makes fewer suppliers.
  EXPECT_GT(suppliers.size(), 1300u);
  EXPECT_LT(suppliers.size(), 1636u);
  int contracts = 0;
  Validator validator;
  SupplierIndex::Builder index;
  for (const auto& s : suppliers) {
    contracts += s.past_contracts_size();
    ASSERT_TRUE(index.Add(s).ok()) << validator.ValidateSupplier(s);
  }
  EXPECT_GE(contracts, 2400);  // 2,516 award rows, some with empty names.
  std::map<std::string, std::vector<std::string>> merges;
  for (const auto& m : builder.Merges()) merges[m.supplier_id] = m.spellings;
  EXPECT_THAT(merges["ted:IT:ibm-italia"],
              UnorderedElementsAre("IBM ITALIA S.p.A.", "IBM Italia SpA"));
  // The corpus can be matched: a tender for IT services finds suppliers.
  auto built = std::move(index).Build();
  ASSERT_TRUE(built.ok());
  v1::MatchRequest request;
  request.mutable_tender()->set_id("T");
  request.mutable_tender()->set_title("Software development services");
  request.mutable_tender()->set_main_cpv("72000000");
  auto response = Matcher(*built).Match(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->matches_size(), 10);
}

// A buyer's main activity is the buyer's: a contract from a notice that
// leaves it out gets the activity the same buyer states in its other
// notices. Real notices: the Danish and Finnish defence procurement
// agencies state DEFENCE on their defence-directive awards (forms 17, 18)
// and not on their voluntary ex-ante notices (F15) of 2021-2022.
TEST(TrackRecordBuilderTest, BuyerActivityComesFromTheBuyersOtherNotices) {
  auto content = ReadFileOrStdin("data/ted/notices_dev.jsonl");
  ASSERT_TRUE(content.ok());
  TrackRecordBuilder builder;
  // (country, folded buyer name) -> activities stated; notice -> stated.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> stated;
  std::map<std::string, std::string> own;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*content, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    auto notice = ImportTedReducedJson(
        absl::StrCat("notices_dev.jsonl:", line_number), line);
    ASSERT_TRUE(notice.ok()) << notice.status();
    const v1::Buyer& buyer = notice->tender.buyer();
    own[notice->tender.source_notice_id()] = buyer.main_activity();
    if (!buyer.main_activity().empty()) {
      stated[{buyer.country(), FoldText(buyer.name())}].insert(
          buyer.main_activity());
    }
    builder.AddAwards(notice->tender);
  }
  int from_own = 0, from_other_notices = 0;
  std::map<std::string, std::string> by_notice;
  for (const v1::SupplierProfile& s : builder.Build()) {
    for (const v1::PastContract& c : s.past_contracts()) {
      by_notice[c.source_notice_id()] = c.buyer_activity();
      const auto& buyer_stated =
          stated[{c.buyer_country(), FoldText(c.buyer_name())}];
      if (buyer_stated.empty()) {
        EXPECT_EQ(c.buyer_activity(), "") << c.source_notice_id();
        continue;
      }
      // Every activity is one the buyer itself stated; the notice's own
      // wins when it has one.
      EXPECT_THAT(buyer_stated, Contains(c.buyer_activity()))
          << c.source_notice_id();
      const std::string& notice_own = own[c.source_notice_id()];
      if (!notice_own.empty()) {
        EXPECT_EQ(c.buyer_activity(), notice_own);
        ++from_own;
      } else {
        ++from_other_notices;
      }
    }
  }
  EXPECT_GE(from_own, 10);
  EXPECT_GE(from_other_notices, 2);
  EXPECT_EQ(own["083278-2022"], "");  // Terma A/S, F15.
  EXPECT_EQ(by_notice["083278-2022"], "DEFENCE");
  EXPECT_EQ(own["450404-2021"], "");  // Moog, F15.
  EXPECT_EQ(by_notice["450404-2021"], "DEFENCE");
}

// Two spellings with nothing in common but the registration number are one
// supplier; a placeholder number or another country ties nothing.
TEST(TrackRecordBuilderTest, RegistrationNumberTiesSpellingsTogether) {
  auto notice = [](const std::string& doc_id, const std::string& name,
                   const std::string& country, const std::string& number) {
    v1::Tender t = AwardNotice(doc_id, name, country);
    t.mutable_awards(0)->mutable_winners(0)->set_identifier(number);
    return t;
  };
  TrackRecordBuilder records;
  records.AddAwards(
      notice("1-2020", "Electricité de France", "FR", "552 081 317"));
  records.AddAwards(notice("2-2020", "EDF", "FR", "FR552081317"));
  records.AddAwards(notice("3-2020", "EDF SA", "FR", "552.081.317"));
  records.AddAwards(notice("4-2020", "Acme", "FR", "0000000"));
  records.AddAwards(notice("5-2020", "Acme Ouest", "FR", "0000000"));
  records.AddAwards(notice("6-2020", "Edf Belgium", "BE", "552081317"));
  const std::vector<v1::SupplierProfile> profiles = records.Build();
  std::map<std::string, int> contracts;
  for (const auto& p : profiles) contracts[p.id()] = p.past_contracts_size();
  EXPECT_EQ(contracts, (std::map<std::string, int>{{"ted:FR:edf", 2 + 1},
                                                   {"ted:FR:acme", 1},
                                                   {"ted:FR:acme-ouest", 1},
                                                   {"ted:BE:edf-belgium", 1}}));
  // A winner not seen, known by its number only, resolves to the supplier.
  v1::Awardee unseen;
  unseen.set_name("Électricité de France, direction commerce");
  unseen.set_country("FR");
  unseen.set_identifier("FR 552081317");
  EXPECT_EQ(records.SupplierIdOf(unseen), "ted:FR:edf");
  unseen.set_identifier("");
  EXPECT_EQ(records.SupplierIdOf(unseen), TrackRecordSupplierId(unseen));
  ASSERT_EQ(records.Merges().size(), 1u);
  EXPECT_EQ(records.Merges()[0].spellings.size(), 3u);
}

// Regression: long names were cut and given a hash that changed from one
// run to the next (absl::Hash is seeded per process), so two imports of the
// same notices gave the same supplier two ids. The id is a pure function of
// the name: this value must never change.
TEST(TrackRecordIdTest, LongNamesGetTheSameIdInEveryRun) {
  v1::Awardee w;
  w.set_country("BG");
  w.set_name(
      "Амбулатория за първична медицинска помощ индивидуална практика по "
      "обща медицина и дентална медицина доктор Иванов");
  const std::string id = TrackRecordSupplierId(w);
  EXPECT_LE(id.size(), 100u);
  EXPECT_EQ(id.substr(id.size() - 9), "-" + id.substr(id.size() - 8));
  EXPECT_EQ(id, TrackRecordSupplierId(w));
  // FNV-1a of the name key, computed here independently of the library.
  uint32_t fnv = 2166136261u;
  for (unsigned char c : CompanyNameKey(w.name())) fnv = (fnv ^ c) * 16777619u;
  EXPECT_EQ(id.substr(id.size() - 8), absl::StrFormat("%08x", fnv)) << id;
}

}  // namespace
}  // namespace procmatch
