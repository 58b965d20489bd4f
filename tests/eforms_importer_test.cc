// The eForms importer on the 92 eForms SDK examples in data/eforms/,
// including the INVALID_* ones, and on broken input.
#include "procmatch/eforms_importer.h"

#include <dirent.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Read(const std::string& path) {
  auto content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  return content.value_or("");
}

std::vector<std::string> Examples() {
  std::vector<std::string> files;
  DIR* dir = opendir("data/eforms");
  while (dir != nullptr) {
    dirent* e = readdir(dir);
    if (e == nullptr) break;
    std::string name = e->d_name;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".xml") {
      files.push_back(name);
    }
  }
  if (dir != nullptr) closedir(dir);
  std::sort(files.begin(), files.end());
  return files;
}

TEST(EformsImporterTest, EveryExampleImportsOrIsRejectedWithReasons) {
  const std::vector<std::string> files = Examples();
  ASSERT_EQ(files.size(), 92u);
  int imported = 0, rejected = 0, warned = 0;
  for (const std::string& file : files) {
    auto notice = ImportEforms(file, Read("data/eforms/" + file));
    const bool invalid_example = file.rfind("INVALID_", 0) == 0;
    if (!notice.ok()) {
      ++rejected;
      EXPECT_THAT(notice.status().message(), HasSubstr(file));
      continue;
    }
    ++imported;
    warned += !notice->warnings.empty();
    // An example marked invalid is never imported silently.
    if (invalid_example) {
      EXPECT_THAT(notice->warnings, Not(IsEmpty())) << file;
    }
  }
  // 10 INVALID_* examples and 2 business-registration notices (X01, X02)
  // are rejected; the 2 other INVALID_* examples import with a warning.
  EXPECT_EQ(imported, 80);
  EXPECT_EQ(rejected, 12);
  EXPECT_GE(warned, 2);
}

// The buyer's main activity reads as in TED XML notices (TED's activity
// names), so that buyer affinity compares buyers from both: every eForms
// example with an activity code gets a TED name.
TEST(EformsImporterTest, BuyerActivityInTedVocabulary) {
  const std::set<std::string> ted = {
      "DEFENCE",
      "ECONOMIC_AND_FINANCIAL_AFFAIRS",
      "EDUCATION",
      "ENVIRONMENT",
      "GENERAL_PUBLIC_SERVICES",
      "HOUSING_AND_COMMUNITY_AMENITIES",
      "HEALTH",
      "PUBLIC_ORDER_AND_SAFETY",
      "RECREATION_CULTURE_AND_RELIGION",
      "SOCIAL_PROTECTION",
      "AIRPORT_RELATED_ACTIVITIES",
      "ELECTRICITY",
      "PRODUCTION_TRANSPORT_DISTRIBUTION_GAS_HEAT",
      "EXPLORATION_EXTRACTION_GAS_OIL",
      "PORT_RELATED_ACTIVITIES",
      "POSTAL_SERVICES",
      "RAILWAY_SERVICES",
      "EXPLORATION_EXTRACTION_COAL_OTHER_SOLID_FUEL",
      "URBAN_RAILWAY_TRAMWAY_TROLLEYBUS_BUS",
      "WATER"};
  std::set<std::string> seen;
  for (const std::string& file : Examples()) {
    auto notice = ImportEforms(file, Read("data/eforms/" + file));
    if (!notice.ok()) continue;
    const std::string& activity = notice->tender.buyer().main_activity();
    if (activity.empty()) continue;
    EXPECT_TRUE(ted.count(activity)) << file << ": " << activity;
    seen.insert(activity);
  }
  // The examples use ten authority and entity activities at least.
  EXPECT_GE(seen.size(), 10u);
  EXPECT_TRUE(seen.count("GENERAL_PUBLIC_SERVICES"));
  EXPECT_TRUE(seen.count("WATER"));
}

TEST(EformsImporterTest, InvalidExamplesSayWhatIsMissing) {
  auto empty = ImportEforms("INVALID_cn_24_empty.xml",
                            Read("data/eforms/INVALID_cn_24_empty.xml"));
  ASSERT_FALSE(empty.ok());
  for (const char* missing :
       {"missing notice identifier (cbc:ID, BT-701)",
        "missing dispatch date (cbc:IssueDate, BT-05)", "missing buyer",
        "missing title (cac:ProcurementProject/cbc:Name, BT-21)",
        "missing main classification", "missing lot"}) {
    EXPECT_THAT(empty.status().message(), HasSubstr(missing));
  }
  auto stage2 = ImportEforms("INVALID_can_24_stage-2.xml",
                             Read("data/eforms/INVALID_can_24_stage-2.xml"));
  ASSERT_FALSE(stage2.ok());
  EXPECT_THAT(stage2.status().message(),
              HasSubstr("missing notice identifier"));
  EXPECT_THAT(stage2.status().message(), Not(HasSubstr("dispatch date")));
  auto codes = ImportEforms("INVALID_cn_24_multiple.xml",
                            Read("data/eforms/INVALID_cn_24_multiple.xml"));
  ASSERT_TRUE(codes.ok());
  EXPECT_THAT(codes->warnings,
              testing::Contains(
                  HasSubstr("code \"invalid\" is not in the eForms codelist "
                            "number-threshold")));
  auto change =
      ImportEforms("INVALID_change-cn_24_FRA_comments.xml",
                   Read("data/eforms/INVALID_change-cn_24_FRA_comments.xml"));
  ASSERT_TRUE(change.ok());
  EXPECT_THAT(change->warnings,
              testing::Contains(HasSubstr("change notice for")));
}

// Each change notice of data/eforms names, in changes_notice_id, the Tender
// id of a contract notice there (BT-758 without its version suffix); other
// notices name none.
TEST(EformsImporterTest, ChangeNoticesNameTheNoticeTheyChange) {
  std::set<std::string> originals;
  for (const char* name : {"cn_24_cumbria", "cn_24_minimal", "cn_24_open"}) {
    auto notice =
        ImportEforms(name, Read(absl::StrCat("data/eforms/", name, ".xml")));
    ASSERT_TRUE(notice.ok()) << notice.status();
    EXPECT_EQ(notice->tender.changes_notice_id(), "") << name;
    originals.insert(notice->tender.id());
  }
  std::set<std::string> changed;
  for (const char* name : {"change-cn_24_cumbria_suppliers",
                           "change-cn_24_open_dates", "change-cn_24_void"}) {
    auto change =
        ImportEforms(name, Read(absl::StrCat("data/eforms/", name, ".xml")));
    ASSERT_TRUE(change.ok()) << change.status();
    const v1::Tender& t = change->tender;
    EXPECT_THAT(t.changes_notice_id(), testing::StartsWith("EF-")) << name;
    EXPECT_NE(t.changes_notice_id(), t.id()) << name;
    EXPECT_TRUE(originals.count(t.changes_notice_id()))
        << name << " changes " << t.changes_notice_id();
    changed.insert(t.changes_notice_id());
  }
  EXPECT_EQ(changed, originals);  // Three changes of three notices.
}

TEST(EformsImporterGoldenTest, ContractNotice) {
  auto notice =
      ImportEforms("cn_24_minimal.xml", Read("data/eforms/cn_24_minimal.xml"));
  ASSERT_TRUE(notice.ok()) << notice.status();
  const v1::Tender& t = notice->tender;
  EXPECT_EQ(t.id(), "EF-f42be27e-09cf-4f0e-a745-63ec689631e6");
  EXPECT_EQ(t.notice_kind(), v1::NOTICE_KIND_CONTRACT_NOTICE);
  EXPECT_EQ(t.language(), "en");
  EXPECT_EQ(t.buyer().name(), "Publications Office of the European Union");
  EXPECT_EQ(t.buyer().country(), "LU");
  EXPECT_EQ(t.legal_basis(), v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU);
  EXPECT_EQ(t.procedure(), v1::PROCEDURE_TYPE_OPEN);
  EXPECT_EQ(t.main_cpv(), "72230000");
  ASSERT_EQ(t.lots_size(), 1);
  EXPECT_EQ(t.lots(0).id(), "LOT-0000");
  EXPECT_GT(t.submission_deadline().seconds(), t.published().seconds());
}

TEST(EformsImporterGoldenTest, ContractAwardNoticeWinners) {
  auto notice = ImportEforms("can_24_minimal.xml",
                             Read("data/eforms/can_24_minimal.xml"));
  ASSERT_TRUE(notice.ok()) << notice.status();
  const v1::Tender& t = notice->tender;
  EXPECT_EQ(t.notice_kind(), v1::NOTICE_KIND_CONTRACT_AWARD);
  EXPECT_EQ(t.buyer().name(), "Rouen Habitat");
  ASSERT_EQ(t.awards_size(), 1);
  const v1::ContractAward& a = t.awards(0);
  EXPECT_EQ(a.lot_id(), "LOT-0000");
  ASSERT_EQ(a.winners_size(), 1);
  EXPECT_EQ(a.winners(0).name(), "Espaces Verts Lemire");
  EXPECT_EQ(a.winners(0).country(), "FR");
  EXPECT_EQ(a.winners(0).town(), "Le Grand-Quevilly");
  EXPECT_TRUE(a.winners(0).sme());
  EXPECT_EQ(a.value().amount(), 95414);
  EXPECT_EQ(a.award_date().month(), 9);
}

TEST(EformsImporterTest, BrokenInput) {
  EXPECT_THAT(ImportEforms("a.xml", "<ContractNotice><x>").status().message(),
              HasSubstr("a.xml: not well-formed XML at byte"));
  EXPECT_THAT(ImportEforms("b.xml", "<TED_EXPORT/>").status().message(),
              HasSubstr("b.xml: root element <TED_EXPORT> is not an eForms"));
  const std::string xml = Read("data/eforms/can_24_minimal.xml");
  EXPECT_THAT(ImportEforms("c.xml", xml.substr(0, 3000)).status().message(),
              HasSubstr("c.xml: not well-formed XML"));
}

// Issue 10: a notice nested 10^5 deep overflowed the stack.
TEST(EformsImporterHostileTest, DeepXmlIsRefusedAndWalkedWithoutRecursion) {
  const int kLevels = 300000;
  std::string xml = "<ContractNotice>";
  for (int i = 0; i < kLevels; ++i) xml += "<cbc:Note>";
  for (int i = 0; i < kLevels; ++i) xml += "</cbc:Note>";
  xml += "</ContractNotice>";
  EXPECT_THAT(ImportEforms("deep.xml", xml).status().message(),
              HasSubstr("deep.xml: elements nest more than 256 levels deep "
                        "(limit max_xml_depth)"));
  ImportLimits unbounded;
  unbounded.max_xml_depth = 1 << 30;
  EXPECT_THAT(ImportEforms("deep.xml", xml, unbounded).status().message(),
              HasSubstr("deep.xml: not a usable notice"));
}

// Issue 10: the codelist check took each coded element's whole subtree as
// its code: quadratic, 14 s and 400 MB of warnings for a 700 KB file.
TEST(EformsImporterHostileTest, CodelistCheckReadsOwnTextAndCapsWarnings) {
  const int kLevels = 2000;
  std::string nested;
  for (int i = 0; i < kLevels; ++i) {
    nested += "<cbc:ProcedureCode listName=\"procurement-procedure-type\">x";
  }
  for (int i = 0; i < kLevels; ++i) nested += "</cbc:ProcedureCode>";
  std::string xml = Read("data/eforms/cn_24_minimal.xml");
  const size_t end = xml.rfind("</ContractNotice>");
  ASSERT_NE(end, std::string::npos);
  xml.insert(end, "<cac:TenderingTerms>" + nested + "</cac:TenderingTerms>");
  ImportLimits limits;
  limits.max_xml_depth = 4 * kLevels;
  auto notice = ImportEforms("codes.xml", xml, limits);
  ASSERT_TRUE(notice.ok()) << notice.status();
  ASSERT_EQ(notice->warnings.size(), 101u);
  EXPECT_THAT(notice->warnings[0],
              HasSubstr("code \"x\" is not in the eForms codelist "
                        "procurement-procedure-type"));
  EXPECT_THAT(notice->warnings.back(),
              HasSubstr("codes.xml: 1900 more warnings dropped (limit "
                        "max_warnings = 100)"));
}

TEST(EformsImporterHostileTest, RepeatedLotIdsStayDistinctFromRealOnes) {
  // Lots LOT-0001, LOT-0001-3, LOT-0001: renaming the third "LOT-0001-3"
  // collided with the second, and the notice was rejected.
  std::string xml = Read("data/eforms/cn_24_minimal.xml");
  const size_t from = xml.find("<cac:ProcurementProjectLot>");
  const size_t to = xml.rfind("</cac:ProcurementProjectLot>");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  const std::string lot = xml.substr(
      from, to + std::string("</cac:ProcurementProjectLot>").size() - from);
  ASSERT_NE(lot.find(">LOT-0000<"), std::string::npos);
  auto with_id = [&](const std::string& id) {
    std::string l = lot;
    l.replace(l.find(">LOT-0000<"), 10, ">" + id + "<");
    return l;
  };
  xml.replace(
      from, lot.size(),
      with_id("LOT-0001") + with_id("LOT-0001-3") + with_id("LOT-0001"));
  auto notice = ImportEforms("lots.xml", xml);
  ASSERT_TRUE(notice.ok()) << notice.status();
  ASSERT_EQ(notice->tender.lots_size(), 3);
  EXPECT_EQ(notice->tender.lots(0).id(), "LOT-0001");
  EXPECT_EQ(notice->tender.lots(1).id(), "LOT-0001-3");
  EXPECT_EQ(notice->tender.lots(2).id(), "LOT-0001-4");
}

}  // namespace
}  // namespace procmatch
