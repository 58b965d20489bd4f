// The coverage report's CSV tables and HTML page: escaping, self-containment
// (no URL, no script), and every chart with its reading.
#include "procmatch/coverage_render.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace procmatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::CoverageReport Report() {
  v1::CoverageReport r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        country: "BE"
        as_of { year: 2026 month: 6 day: 1 }
        nuts_level: 2
        min_qualified_suppliers: 3
        currency: "EUR"
        suppliers_in_scope: 150
        areas {
          area { id: "EDF-AIR" name: "Air combat" edf_category: "AIR" }
          qualified_suppliers: 2
          supplier_ids: "BE-0410472920"
          supplier_ids: "BE-1237832044"
          regions { nuts_code: "BE21" suppliers: 1 }
          regions { nuts_code: "BE32" suppliers: 1 }
          gap: true
          assessment: "gap: 2 qualified, fewer than 3"
          award_history {
            contracts: 2
            valued_contracts: 2
            value: 2000000
            foreign_value: 1200000
            foreign_value_share: 0.6
            foreign_contract_share: 0.5
            hhi: 5200
            concentration_band: "highly concentrated"
            top4_share: 1
            top_winners {
              supplier_id: "ted:IL:elbit-systems"
              name: "=HYPERLINK(\"evil\"), Ltd"
              country: "IL"
              contracts: 1
              value: 1200000
              share: 0.6
            }
            by_year { year: 2023 contracts: 1 value: 800000 }
            by_year {
              year: 2024
              contracts: 1
              value: 1200000
              foreign_value_share: 1
              foreign_contracts: 1
            }
          }
        }
        areas {
          area { id: "EDF-UWW" name: "Underwater <warfare> & mines" }
          no_supplier: true
          gap: true
        }
      )pb",
      &r));
  return r;
}

TEST(CoverageRenderTest, CsvTablesEscapeQuotesAndFormulas) {
  std::vector<CsvTable> tables = CoverageCsv(Report());
  ASSERT_EQ(tables.size(), 6u);
  EXPECT_EQ(tables[0].file_name, "areas.csv");
  EXPECT_THAT(tables[0].content, HasSubstr("EDF-AIR,Air combat,AIR,0,0,0,2,"));
  EXPECT_THAT(tables[0].content, HasSubstr("\r\nEDF-UWW,"));
  EXPECT_EQ(tables[4].file_name, "winners.csv");
  // A name that looks like a formula is defused and quoted.
  EXPECT_THAT(
      tables[4].content,
      HasSubstr("\"'=HYPERLINK(\"\"evil\"\"), Ltd\",IL,1,1200000.00,0.6"));
  EXPECT_THAT(tables[1].content, HasSubstr("EDF-AIR,2,BE21,1\r\n"));
  EXPECT_THAT(tables[5].content,
              HasSubstr("EDF-AIR,2024,1,1,1200000.00,1\r\n"));
}

TEST(CoverageRenderTest, HtmlIsSelfContainedWithFourChartsAndReadings) {
  const std::string html = CoverageHtml(Report());
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  int charts = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos;
       at = html.find("<svg", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 4);
  EXPECT_THAT(html, HasSubstr("Most qualified suppliers: Air combat in BE21 "
                              "(1). 1 of 2 areas have no qualified supplier "
                              "in any region."));
  EXPECT_THAT(html, HasSubstr("Most dependent: Air combat, 50% of 2 "
                              "contracts won abroad"));
  EXPECT_THAT(html, HasSubstr("50% of 2 (60% of value)"));
  EXPECT_THAT(html, HasSubstr("1 of 1 areas with award value are highly "
                              "concentrated"));
  EXPECT_THAT(html, HasSubstr("Contracts won abroad: 0% of 1 in 2023, 100% "
                              "of 1 in 2024"));
  // The table has a row per area, every cell filled.
  EXPECT_THAT(html, HasSubstr("<tr class=\"gap\"><td class=\"text\">Air "
                              "combat</td><td>0</td><td>2</td><td>0</td><td>0<"
                              "/td><td>0</td><td>2</td><td>50%</td><td>2.0 "
                              "M</td><td>60%</td><td>5200</td><td>100%</td>"));
  // Names are escaped.
  EXPECT_THAT(html, HasSubstr("Underwater &lt;warfare&gt; &amp; mines"));
  EXPECT_THAT(html, Not(HasSubstr("<warfare>")));
}

}  // namespace
}  // namespace procmatch
