// Coverage: the Belgian sample counted by hand, award history on real codes
// with known shares, and the postings-based computation against the
// per-supplier brute force on random corpora.
#include "procmatch/coverage.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "procmatch/record_io.h"
#include "procmatch/validation.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename M>
std::vector<M> ReadJsonl(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  std::vector<M> out;
  ReadRecords<M>(
      path, content.value_or(""), RecordFormat::kJsonLines,
      [&](int, M m) { out.push_back(std::move(m)); },
      [](absl::Status s) { ADD_FAILURE() << s; })
      .IgnoreError();
  return out;
}

std::shared_ptr<const SupplierIndex> Index(
    const std::vector<v1::SupplierProfile>& suppliers) {
  SupplierIndex::Builder builder;
  for (const v1::SupplierProfile& p : suppliers) {
    absl::Status added = builder.Add(p);
    EXPECT_TRUE(added.ok()) << added;
  }
  return *std::move(builder).Build();
}

template <typename M>
M Parse(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

void ExpectSameReports(const SupplierIndex& index,
                       const v1::CoverageRequest& request,
                       const std::vector<v1::Tender>& awards) {
  absl::StatusOr<v1::CoverageReport> fast =
      ComputeCoverage(index, request, awards);
  absl::StatusOr<v1::CoverageReport> slow =
      ComputeCoverageBruteForce(index, request, awards);
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_TRUE(slow.ok()) << slow.status();
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(*fast, *slow)) << diff;
}

TEST(CoverageTest, StarterAreasAreValidAndCoverTheSeventeenEdfCategories) {
  std::vector<v1::CapabilityArea> areas =
      ReadJsonl<v1::CapabilityArea>("data/coverage/edf_categories.jsonl");
  ASSERT_EQ(areas.size(), 17u);
  v1::CoverageRequest request;
  request.set_country("BE");
  for (const v1::CapabilityArea& a : areas) *request.add_areas() = a;
  Validator validator;
  EXPECT_TRUE(validator.ValidateCoverageRequest(request).ok())
      << validator.ValidateCoverageRequest(request);
}

TEST(CoverageTest, BelgianSampleUavAreaCountedByHand) {
  auto index =
      Index(ReadJsonl<v1::SupplierProfile>("data/sample/suppliers.jsonl"));
  v1::CoverageRequest request = Parse<v1::CoverageRequest>(R"pb(
    country: "BE"
    as_of { year: 2026 month: 6 day: 1 }
    areas {
      id: "uav"
      cpv_codes: "35613000"
      tags: "uav"
      min_clearance: CLEARANCE_LEVEL_SECRET
      required_certifications: "AQAP 2110"
    }
    areas { id: "hypersonic" cpv_codes: "35621100" }
  )pb");
  absl::StatusOr<v1::CoverageReport> report =
      ComputeCoverage(*index, request, {});
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->areas_size(), 2);
  const v1::AreaCoverage& uav = report->areas(0);
  // Counted from data/sample/suppliers.jsonl: 22 Belgian suppliers offer
  // or have delivered UAVs (35613000 or tag "uav"); 5 hold a valid SECRET
  // facility clearance, 6 a valid AQAP 2110; 2 hold both.
  EXPECT_EQ(uav.capable_suppliers(), 22);
  EXPECT_EQ(uav.meeting_clearance(), 5);
  ASSERT_EQ(uav.certifications_size(), 1);
  EXPECT_EQ(uav.certifications(0).suppliers(), 6);
  EXPECT_THAT(uav.supplier_ids(),
              ElementsAre("BE-0410472920", "BE-1237832044"));
  EXPECT_EQ(uav.qualified_suppliers(), 2);
  EXPECT_TRUE(uav.gap());
  EXPECT_FALSE(uav.single_source());
  ASSERT_EQ(uav.regions_size(), 2);
  EXPECT_EQ(uav.regions(0).nuts_code(), "BE21");
  EXPECT_EQ(uav.regions(1).nuts_code(), "BE32");
  // Nobody makes strategic anti-ballistic missiles: reported, as zero.
  const v1::AreaCoverage& missiles = report->areas(1);
  EXPECT_EQ(missiles.area().id(), "hypersonic");
  EXPECT_EQ(missiles.qualified_suppliers(), 0);
  EXPECT_TRUE(missiles.no_supplier());
  EXPECT_TRUE(missiles.gap());
  EXPECT_EQ(report->uncovered_areas(), 1);
  EXPECT_EQ(report->gaps(), 2);
  ExpectSameReports(*index, request, {});
}

TEST(CoverageTest, BelgianSampleStarterAreasFastEqualsBruteForce) {
  auto index =
      Index(ReadJsonl<v1::SupplierProfile>("data/sample/suppliers.jsonl"));
  v1::CoverageRequest request;
  request.set_country("BE");
  request.mutable_as_of()->set_year(2026);
  request.mutable_as_of()->set_month(6);
  request.mutable_as_of()->set_day(1);
  for (const v1::CapabilityArea& a :
       ReadJsonl<v1::CapabilityArea>("data/coverage/edf_categories.jsonl")) {
    *request.add_areas() = a;
  }
  absl::StatusOr<v1::CoverageReport> report =
      ComputeCoverage(*index, request, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->areas_size(), 17);
  EXPECT_EQ(report->suppliers_in_scope(), 150);
  ExpectSameReports(*index, request, {});
}

// Award history on real CPV codes: a Belgian frigate support contract won
// abroad, two Belgian UAV contracts, and a profile contract that repeats a
// notice and must be counted once.
TEST(CoverageTest, AwardHistoryShareConcentrationAndTrend) {
  auto index = Index({Parse<v1::SupplierProfile>(R"pb(
    id: "BE-0410472920"
    name: "Kempen Avionics NV"
    country: "BE"
    entity_type: ENTITY_TYPE_SME
    third_country_control: THIRD_COUNTRY_CONTROL_NOT_CONTROLLED
    nuts_code: "BE213"
    cpv_codes: "35613000"
    past_contracts {
      buyer_name: "Defensie"
      buyer_country: "BE"
      title: "Mini-UAV"
      cpv_codes: "35613000"
      value { amount: 600000 currency: "EUR" }
      award_date { year: 2023 month: 11 day: 14 }
      source_notice_id: "100001-2023"
    }
    past_contracts {
      buyer_name: "Defensie"
      buyer_country: "BE"
      title: "UAV spares"
      cpv_codes: "35613000"
      value { amount: 200000 currency: "EUR" }
      award_date { year: 2024 month: 3 day: 1 }
    }
  )pb")});
  std::vector<v1::Tender> awards = {
      Parse<v1::Tender>(R"pb(
        id: "100001-2023"
        source_notice_id: "100001-2023"
        buyer { name: "Defensie" country: "BE" }
        main_cpv: "35613000"
        awards {
          winners { name: "Kempen Avionics NV" country: "BE" }
          value { amount: 600000 currency: "EUR" }
          award_date { year: 2023 month: 11 day: 14 }
        }
      )pb"),
      Parse<v1::Tender>(R"pb(
        id: "200002-2024"
        buyer { name: "Defensie" country: "BE" }
        main_cpv: "35613100"
        estimated_value { amount: 1200000 currency: "EUR" }
        awards {
          winners { name: "Elbit Systems Ltd" country: "IL" }
          award_date { year: 2024 month: 5 day: 2 }
        }
      )pb"),
      Parse<v1::Tender>(R"pb(
        id: "300003-2024"
        buyer { name: "Forsvarets" country: "NO" }
        main_cpv: "35613000"
        awards {
          winners { name: "AeroVironment" country: "US" }
          value { amount: 9000000 currency: "EUR" }
          award_date { year: 2024 month: 6 day: 1 }
        }
      )pb")};
  v1::CoverageRequest request = Parse<v1::CoverageRequest>(R"pb(
    country: "BE"
    as_of { year: 2026 month: 6 day: 1 }
    areas { id: "uav" cpv_codes: "35613000" }
    areas { id: "naval" cpv_codes: "35500000" }
  )pb");
  absl::StatusOr<v1::CoverageReport> report =
      ComputeCoverage(*index, request, awards);
  ASSERT_TRUE(report.ok()) << report.status();
  const v1::AwardHistory& h = report->areas(0).award_history();
  // Norway's contract is out of scope; 100001-2023 is counted once;
  // 200002-2024 has its value on the notice only, and one award.
  EXPECT_EQ(h.contracts(), 3);
  EXPECT_EQ(h.valued_contracts(), 3);
  EXPECT_DOUBLE_EQ(h.foreign_contract_share(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(h.value(), 2000000);
  EXPECT_DOUBLE_EQ(h.foreign_value_share(), 0.6);
  // Shares 60% and 40%: 3600 + 1600.
  EXPECT_DOUBLE_EQ(h.hhi(), 5200);
  EXPECT_EQ(h.concentration_band(), "highly concentrated");
  EXPECT_DOUBLE_EQ(h.top4_share(), 1.0);
  ASSERT_EQ(h.top_winners_size(), 2);
  EXPECT_EQ(h.top_winners(0).name(), "Elbit Systems Ltd");
  ASSERT_EQ(h.by_year_size(), 2);
  EXPECT_EQ(h.by_year(0).year(), 2023);
  EXPECT_DOUBLE_EQ(h.by_year(0).foreign_value_share(), 0);
  EXPECT_EQ(h.by_year(1).contracts(), 2);
  EXPECT_DOUBLE_EQ(h.by_year(1).foreign_contracts(), 1);
  EXPECT_DOUBLE_EQ(h.top_winners(1).contracts(), 2);
  EXPECT_DOUBLE_EQ(h.by_year(1).foreign_value_share(), 1200000.0 / 1400000);
  EXPECT_TRUE(report->areas(0).single_source());
  EXPECT_TRUE(report->areas(0).demand_without_supply());
  EXPECT_EQ(report->areas(1).award_history().contracts(), 0);
  EXPECT_FALSE(report->areas(1).demand_without_supply());
  ExpectSameReports(*index, request, awards);

  // The period keeps 2024 only; Europe-wide, Norway's award counts and the
  // American winner is foreign to the Norwegian buyer.
  request.mutable_award_period()->mutable_start()->set_year(2024);
  request.mutable_award_period()->mutable_start()->set_month(1);
  request.mutable_award_period()->mutable_start()->set_day(1);
  request.clear_country();
  report = ComputeCoverage(*index, request, awards);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->areas(0).award_history().contracts(), 3);
  EXPECT_DOUBLE_EQ(report->areas(0).award_history().foreign_value(), 10200000);
  ExpectSameReports(*index, request, awards);
}

TEST(CoverageTest, KeywordsInAnyLanguageTheAnalyserKnows) {
  auto index = Index({Parse<v1::SupplierProfile>(R"pb(
    id: "BE-0203201340"
    name: "Scheldewerf NV"
    country: "BE"
    nuts_code: "BE211"
    capabilities {
      description: "Onderhoud van onbemande luchtvaartuigen"
      language: "nl"
    }
  )pb")});
  v1::CoverageRequest request = Parse<v1::CoverageRequest>(R"pb(
    country: "BE"
    areas {
      id: "uav"
      keywords { text: "Onbemande luchtvaartuigen" language: "nl" }
    }
    areas {
      id: "naval"
      keywords { text: "navires de surface" language: "fr" }
    }
  )pb");
  absl::StatusOr<v1::CoverageReport> report =
      ComputeCoverage(*index, request, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->areas(0).qualified_suppliers(), 1);
  EXPECT_EQ(report->areas(1).qualified_suppliers(), 0);
}

TEST(CoverageTest, InvalidRequestNamesTheField) {
  auto index = Index({});
  v1::CoverageRequest request = Parse<v1::CoverageRequest>(R"pb(
    country: "BE"
    areas { id: "uav" cpv_codes: "3561300" }
  )pb");
  absl::StatusOr<v1::CoverageReport> report =
      ComputeCoverage(*index, request, {});
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(), HasSubstr("areas[0].cpv_codes[0]"));
}

// Random corpora, random areas drawn from the corpus's own codes, tags and
// words, random award notices: both computations agree exactly.
TEST(CoverageTest, PostingsEqualBruteForceOnRandomInputs) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    std::vector<v1::SupplierProfile> suppliers =
        testing::RandomSuppliers(300, seed);
    std::mt19937 rng(seed);
    for (v1::SupplierProfile& p : suppliers) {
      // Some in the scope country, in several regions.
      if (rng() % 2 == 0) {
        p.set_country("BE");
        p.set_executive_management_country("BE");
        static const char* kRegions[] = {"BE100", "BE211", "BE234",
                                         "BE310", "BE352", "BE331"};
        p.set_nuts_code(kRegions[rng() % 6]);
      }
    }
    auto index = Index(suppliers);
    auto pick = [&](const auto& field) {
      return field.Get(rng() % field.size());
    };
    v1::CoverageRequest request;
    request.set_country(rng() % 4 == 0 ? "" : "BE");
    request.mutable_as_of()->set_year(2026);
    request.mutable_as_of()->set_month(6);
    request.mutable_as_of()->set_day(1);
    request.set_min_qualified_suppliers(1 + rng() % 5);
    if (!request.country().empty() && rng() % 3 == 0) {
      request.add_nuts_regions(rng() % 2 ? "BE2" : "BE35");
    }
    for (int a = 0; a < 12; ++a) {
      v1::CapabilityArea* area = request.add_areas();
      area->set_id(absl::StrCat("area-", a));
      const v1::SupplierProfile& source = suppliers[rng() % suppliers.size()];
      if (source.cpv_codes_size() > 0 && rng() % 4 != 0) {
        std::string code = pick(source.cpv_codes()).substr(0, 8);
        // A subtree: cut to 2-5 significant digits.
        const int depth = 2 + rng() % 6;
        for (int i = depth; i < 8; ++i) code[i] = '0';
        if (Validator().cpv().Parse(code).ok()) area->add_cpv_codes(code);
      }
      for (const v1::Capability& cap : source.capabilities()) {
        if (cap.tags_size() > 0 && rng() % 2) area->add_tags(pick(cap.tags()));
        if (!cap.description().empty() && rng() % 3 == 0) {
          v1::AreaKeyword* k = area->add_keywords();
          std::string text = cap.description();
          k->set_text(text.substr(0, text.find(' ', 12)));
          k->set_language(cap.language());
        }
      }
      if (area->cpv_codes_size() + area->tags_size() + area->keywords_size() ==
          0) {
        area->add_cpv_codes("35000000");
      }
      area->set_min_clearance(static_cast<v1::ClearanceLevel>(rng() % 4));
      if (rng() % 3 == 0) area->add_required_certifications("AQAP 2110");
      if (rng() % 3 == 0) area->set_min_technology_readiness(1 + rng() % 9);
    }
    std::vector<v1::Tender> awards;
    for (int t = 0; t < 40; ++t) {
      v1::Tender tender;
      tender.set_id(absl::StrCat("T-", seed, "-", t));
      tender.mutable_buyer()->set_name("Defensie");
      tender.mutable_buyer()->set_country(rng() % 3 ? "BE" : "FR");
      const v1::SupplierProfile& source = suppliers[rng() % suppliers.size()];
      if (source.cpv_codes_size() == 0) continue;
      tender.set_main_cpv(pick(source.cpv_codes()));
      const int n = rng() % 3;
      for (int w = 0; w < n; ++w) {
        v1::ContractAward* award = tender.add_awards();
        for (int k = 0, m = 1 + rng() % 2; k < m; ++k) {
          const v1::SupplierProfile& winner =
              suppliers[rng() % suppliers.size()];
          v1::Awardee* a = award->add_winners();
          a->set_name(winner.name());
          a->set_country(winner.country());
        }
        if (rng() % 4) {
          award->mutable_value()->set_amount(1000.0 * (1 + rng() % 5000));
          award->mutable_value()->set_currency(rng() % 8 ? "EUR" : "SEK");
        }
        award->mutable_award_date()->set_year(2018 + rng() % 8);
        award->mutable_award_date()->set_month(1 + rng() % 12);
        award->mutable_award_date()->set_day(1 + rng() % 28);
      }
      awards.push_back(tender);
    }
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    ExpectSameReports(*index, request, awards);
    absl::StatusOr<v1::CoverageReport> report =
        ComputeCoverage(*index, request, awards);
    ASSERT_TRUE(report.ok());
    int qualified = 0;
    for (const v1::AreaCoverage& a : report->areas()) {
      qualified += a.qualified_suppliers();
    }
    // The comparison is only worth something if areas are not all empty.
    EXPECT_GT(qualified, 0);
  }
}

}  // namespace
}  // namespace procmatch
