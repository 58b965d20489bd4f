// The TED XML importer on the 63 real notices in data/ted/xml/, checked
// against the reduced JSON of the same notices in data/ted/notices_dev.jsonl
// (made from the same TED exports by another tool), and on broken input.
#include "procmatch/ted_importer.h"

#include <dirent.h>

#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "procmatch/nuts.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  auto content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  return content.value_or("");
}

std::vector<std::string> XmlFiles() {
  std::vector<std::string> files;
  DIR* dir = opendir("data/ted/xml");
  if (dir == nullptr) return files;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".xml") {
      files.push_back(name);
    }
  }
  closedir(dir);
  std::sort(files.begin(), files.end());
  return files;
}

// doc_id -> the reduced notice, as a protobuf Struct.
std::map<std::string, Struct> Reduced() {
  std::map<std::string, Struct> out;
  for (absl::string_view line :
       absl::StrSplit(Read("data/ted/notices_dev.jsonl"), '\n')) {
    if (line.empty()) continue;
    Struct s;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &s)
            .ok());
    out[s.fields().at("doc_id").string_value()] = s;
  }
  return out;
}

std::string Field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

TEST(TedImporterTest, AllRealNoticesImportAndAgreeWithTheReducedJson) {
  const std::vector<std::string> files = XmlFiles();
  ASSERT_EQ(files.size(), 63u);
  const std::map<std::string, Struct> reduced = Reduced();
  int titles = 0, countries = 0, buyers = 0, codes = 0, with_winners = 0,
      winners_agree = 0;
  for (const std::string& file : files) {
    auto notice = ImportTedXml(file, Read("data/ted/xml/" + file));
    ASSERT_TRUE(notice.ok()) << notice.status();
    const v1::Tender& t = notice->tender;
    const std::string doc_id = file.substr(0, file.size() - 4);
    EXPECT_EQ(t.source_notice_id(), doc_id);
    ASSERT_TRUE(reduced.count(doc_id)) << doc_id;
    const Struct& r = reduced.at(doc_id);
    // Two multilingual EU-institution notices: the reduced JSON took the
    // first translation (Danish); the importer reads the form marked
    // ORIGINAL, in the notice's LG_ORIG language.
    static const std::map<std::string, std::string> kOriginalLanguage = {
        {"000003-2019", "en"}, {"091775-2022", "fr"}};
    if (kOriginalLanguage.count(doc_id)) {
      EXPECT_EQ(t.language(), kOriginalLanguage.at(doc_id));
      EXPECT_NE(t.title(), Field(r, "title"));
      ++titles;
      ++buyers;
    } else {
      EXPECT_EQ(t.title(), Field(r, "title")) << doc_id;
      EXPECT_EQ(t.buyer().name(), Field(r, "buyer")) << doc_id;
      titles += t.title() == Field(r, "title");
      buyers += t.buyer().name() == Field(r, "buyer");
    }
    countries += IsoCountryOfNuts(Field(r, "country")) == t.buyer().country();
    // Every code the reduced notice lists is among ours.
    std::set<std::string> ours = {t.main_cpv()};
    ours.insert(t.additional_cpv().begin(), t.additional_cpv().end());
    for (const v1::Lot& l : t.lots()) {
      ours.insert(l.main_cpv());
      ours.insert(l.additional_cpv().begin(), l.additional_cpv().end());
    }
    bool all_codes = true;
    for (const Value& c : r.fields().at("cpv").list_value().values()) {
      all_codes = all_codes && ours.count(c.string_value());
    }
    codes += all_codes;
    // Winners: the same set of names.
    std::multiset<std::string> theirs_w, ours_w;
    for (const Value& lot : r.fields().at("lots").list_value().values()) {
      for (const Value& w :
           lot.struct_value().fields().at("winners").list_value().values()) {
        theirs_w.insert(w.struct_value().fields().at("name").string_value());
      }
    }
    for (const v1::ContractAward& a : t.awards()) {
      for (const v1::Awardee& w : a.winners()) ours_w.insert(w.name());
    }
    if (!theirs_w.empty()) {
      ++with_winners;
      winners_agree +=
          std::set<std::string>(theirs_w.begin(), theirs_w.end()) ==
          std::set<std::string>(ours_w.begin(), ours_w.end());
    }
  }
  EXPECT_EQ(titles, 63);
  EXPECT_EQ(countries, 63);
  EXPECT_EQ(buyers, 63);
  EXPECT_EQ(codes, 63);
  EXPECT_EQ(winners_agree, with_winners);
}

}  // namespace
}  // namespace procmatch

namespace procmatch {
namespace {

v1::Tender Import(const std::string& doc_id) {
  auto notice =
      ImportTedXml(doc_id, Read(absl::StrCat("data/ted/xml/", doc_id, ".xml")));
  EXPECT_TRUE(notice.ok()) << notice.status();
  return notice.ok() ? notice->tender : v1::Tender();
}

TEST(TedImporterGoldenTest, F02ContractNoticeWithLots) {
  const v1::Tender t = Import("014265-2021");
  EXPECT_EQ(t.id(), "TED-014265-2021");
  EXPECT_EQ(t.language(), "fr");
  EXPECT_EQ(t.buyer().name(), "Assistance publique Hôpitaux de Paris");
  EXPECT_EQ(t.legal_basis(), v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU);
  EXPECT_EQ(t.notice_kind(), v1::NOTICE_KIND_CONTRACT_NOTICE);
  EXPECT_EQ(t.procedure(), v1::PROCEDURE_TYPE_OPEN);
  EXPECT_EQ(t.main_cpv(), "55520000");
  ASSERT_EQ(t.lots_size(), 2);
  EXPECT_EQ(t.lots(0).title(), "Prestations traiteurs");
  EXPECT_EQ(t.lots(0).main_cpv(), "55520000");
  EXPECT_EQ(t.lots(1).main_cpv(), "15894300");
  EXPECT_GT(t.submission_deadline().seconds(), t.published().seconds());
}

TEST(TedImporterGoldenTest, F03AwardHasWinners) {
  const v1::Tender t = Import("056148-2021");
  EXPECT_EQ(t.notice_kind(), v1::NOTICE_KIND_CONTRACT_AWARD);
  EXPECT_EQ(t.buyer().main_activity(), "DEFENCE");
  ASSERT_GE(t.awards_size(), 1);
  ASSERT_GE(t.awards(0).winners_size(), 1);
  EXPECT_FALSE(t.awards(0).winners(0).name().empty());
  EXPECT_EQ(t.awards(0).winners(0).country(), "PL");
}

TEST(TedImporterGoldenTest, UtilitiesForms) {
  const v1::Tender f05 = Import("340750-2021");
  EXPECT_EQ(f05.legal_basis(), v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU);
  EXPECT_EQ(f05.buyer().name(), "La Poste");
  EXPECT_EQ(f05.notice_kind(), v1::NOTICE_KIND_CONTRACT_NOTICE);
  const v1::Tender f06 = Import("352092-2021");
  EXPECT_EQ(f06.legal_basis(), v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU);
  EXPECT_EQ(f06.notice_kind(), v1::NOTICE_KIND_CONTRACT_AWARD);
  EXPECT_EQ(f06.language(), "hu");
  EXPECT_GT(f06.awards_size(), 0);
}

TEST(TedImporterGoldenTest, DefenceForms) {
  const v1::Tender pin = Import("054030-2021");  // Form 16.
  EXPECT_EQ(pin.notice_kind(), v1::NOTICE_KIND_PRIOR_INFORMATION);
  EXPECT_EQ(pin.legal_basis(), v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC);
  EXPECT_EQ(pin.buyer().name(), "Staatliches Baumanagement Lüneburger Heide");
  const v1::Tender cn = Import("010233-2021");  // Form 17, two lots.
  EXPECT_EQ(cn.title(), "130 mm Naval Counter Measures.");
  EXPECT_EQ(cn.estimated_value().amount(), 80000000);
  EXPECT_EQ(cn.estimated_value().currency(), "DKK");
  ASSERT_EQ(cn.lots_size(), 2);
  EXPECT_EQ(cn.lots(1).title(), "130MM Seduction Decoys");
  EXPECT_EQ(cn.lots(1).main_cpv(), "35330000");
  EXPECT_EQ(cn.lots(1).additional_cpv(0), "35322400");
  const v1::Tender can = Import("620316-2021");  // Form 18.
  EXPECT_EQ(can.notice_kind(), v1::NOTICE_KIND_CONTRACT_AWARD);
  ASSERT_EQ(can.awards_size(), 1);
  EXPECT_EQ(can.awards(0).winners(0).name(), "Metallwerk Elisenhütte GmbH");
  EXPECT_EQ(can.awards(0).winners(0).town(), "Nassau");
  EXPECT_EQ(can.awards(0).winners(0).country(), "DE");
  EXPECT_EQ(can.awards(0).award_date().year(), 2021);
  EXPECT_EQ(can.awards(0).value().amount(), 36391263);
}

// The buyer's main activity in TED's vocabulary, on real notices: the
// form's CA_ACTIVITY / CE_ACTIVITY; the coded MA_MAIN_ACTIVITIES where the
// form has none (defence forms); "Other" is no activity.
TEST(TedImporterGoldenTest, BuyerMainActivity) {
  EXPECT_EQ(Import("352092-2021").buyer().main_activity(), "WATER");
  EXPECT_EQ(Import("593608-2021").buyer().main_activity(), "RAILWAY_SERVICES");
  EXPECT_EQ(Import("057203-2021").buyer().main_activity(),
            "HOUSING_AND_COMMUNITY_AMENITIES");
  // Form 18: MA_MAIN_ACTIVITIES "Public order and safety" only.
  EXPECT_EQ(Import("029228-2021").buyer().main_activity(),
            "PUBLIC_ORDER_AND_SAFETY");
  // "Defence" then "Other"; "Water" then "Other".
  EXPECT_EQ(Import("384269-2021").buyer().main_activity(), "DEFENCE");
  EXPECT_EQ(Import("472251-2021").buyer().main_activity(), "WATER");
  // "Other" alone, with and without CA_ACTIVITY_OTHER free text.
  EXPECT_EQ(Import("008473-2021").buyer().main_activity(), "");
  EXPECT_EQ(Import("017921-2022").buyer().main_activity(), "");
  int with_activity = 0;
  for (const std::string& file : XmlFiles()) {
    const std::string activity =
        Import(file.substr(0, file.size() - 4)).buyer().main_activity();
    EXPECT_NE(activity, "OTHER") << file;
    for (char c : activity) {
      EXPECT_TRUE(absl::ascii_isupper(c) || c == '_')
          << file << " " << activity;
    }
    with_activity += !activity.empty();
  }
  EXPECT_GT(with_activity, 50);
}

TEST(TedImporterTest, BrokenInputNamesFileAndElement) {
  EXPECT_THAT(ImportTedXml("a.xml", "<TED_EXPORT DOC_ID='1'><unclosed>")
                  .status()
                  .message(),
              HasSubstr("a.xml: not well-formed XML at byte"));
  EXPECT_THAT(ImportTedXml("b.xml", "<Notice/>").status().message(),
              HasSubstr("b.xml: root element <Notice> is not <TED_EXPORT>"));
  EXPECT_THAT(ImportTedXml("c.xml", "<TED_EXPORT/>").status().message(),
              HasSubstr("c.xml: <TED_EXPORT> has no DOC_ID"));
  EXPECT_THAT(
      ImportTedXml("d.xml", "<TED_EXPORT DOC_ID='1-2021'/>").status().message(),
      HasSubstr("d.xml: no <CODED_DATA_SECTION>"));
  // A real notice cut in half.
  const std::string xml = Read("data/ted/xml/010233-2021.xml");
  EXPECT_THAT(
      ImportTedXml("e.xml", xml.substr(0, xml.size() / 2)).status().message(),
      HasSubstr("e.xml: not well-formed XML"));
  // Without its form.
  std::string no_form = xml;
  const size_t from = no_form.find("<FORM_SECTION>");
  const size_t to = no_form.find("</FORM_SECTION>");
  no_form.replace(from, to - from + 15, "<FORM_SECTION/>");
  EXPECT_THAT(ImportTedXml("f.xml", no_form).status().message(),
              HasSubstr("f.xml: <FORM_SECTION> holds no form"));
}

TEST(TedImporterTest, OldNutsCodesAreMappedWithAWarning) {
  // A real notice with its place changed to a NUTS 2013 code (FR214).
  std::string xml = Read("data/ted/xml/010233-2021.xml");
  const size_t at = xml.find("PERFORMANCE_NUTS CODE=\"DK\"");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, std::string("PERFORMANCE_NUTS CODE=\"DK\"").size(),
              "PERFORMANCE_NUTS CODE=\"FR214\"");
  auto notice = ImportTedXml("g.xml", xml);
  ASSERT_TRUE(notice.ok()) << notice.status();
  EXPECT_EQ(notice->tender.nuts_codes(0), "FR");
  ASSERT_FALSE(notice->warnings.empty());
  EXPECT_THAT(notice->warnings[0],
              HasSubstr("g.xml: PERFORMANCE_NUTS: NUTS code FR214 is not in "
                        "NUTS 2021; mapped to FR"));
}

}  // namespace
}  // namespace procmatch

// Issue 10, "Hostile input".
namespace procmatch {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

std::string Nested(const std::string& root, int levels) {
  std::string xml = "<" + root + " DOC_ID='000001-2021'>";
  for (int i = 0; i < levels; ++i) xml += "<P>";
  xml += "deep";
  for (int i = 0; i < levels; ++i) xml += "</P>";
  return xml + "</" + root + ">";
}

TEST(TedImporterHostileTest, DeepXmlIsRefusedAndWalkedWithoutRecursion) {
  // 300,000 levels in 2 MB: a recursive walk overflows the stack.
  const std::string xml = Nested("TED_EXPORT", 300000);
  auto refused = ImportTedXml("deep.xml", xml);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("deep.xml: elements nest more than 256 levels deep "
                        "(limit max_xml_depth)"));
  ImportLimits unbounded;
  unbounded.max_xml_depth = 1 << 30;
  EXPECT_THAT(ImportTedXml("deep.xml", xml, unbounded).status().message(),
              HasSubstr("deep.xml: no <CODED_DATA_SECTION>"));
}

TEST(TedImporterHostileTest, UnknownEntitiesAreDroppedNeverExpanded) {
  std::string xml = Read("data/ted/xml/010233-2021.xml");
  const std::string title = "<P>130 mm Naval Counter Measures.</P>";
  const size_t at = xml.find(title);
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, title.size(),
              "<P>130 mm &xxe;Naval &amp;xxe; Counter&#32;Measures.</P>");
  xml.insert(xml.find("<TED_EXPORT"),
             "<!DOCTYPE TED_EXPORT [<!ENTITY xxe SYSTEM "
             "\"file:///etc/passwd\">]>");
  auto notice = ImportTedXml("xxe.xml", xml);
  ASSERT_TRUE(notice.ok()) << notice.status();
  // "&amp;xxe;" is text that reads "&xxe;": it stays.
  EXPECT_EQ(notice->tender.title(), "130 mm Naval &xxe; Counter Measures.");
  EXPECT_THAT(notice->warnings,
              Contains(HasSubstr("xxe.xml: entity reference &xxe; dropped")));
}

std::string NoticeJson(const std::string& lots) {
  return "{\"doc_id\": \"123456-2021\", \"date\": \"20210301\", \"form\": "
         "\"F03\", \"country\": \"BE\", \"lang\": \"FR\", \"title\": "
         "\"Fourniture de mobilier\", \"cpv\": [\"39100000\"], \"lots\": [" +
         lots + "]}";
}

std::string LotJson(const std::string& id, const std::string& winner) {
  return "{\"lot\": \"" + id + "\", \"title\": \"Lot " + id +
         "\", \"cpv\": [\"39100000\"], \"winners\": [{\"name\": \"" + winner +
         "\", \"country\": \"BE\"}]}";
}

TEST(TedImporterHostileTest, RepeatedLotIdsAreRenamedWithoutCollision) {
  auto notice = ImportTedReducedJson(
      "lots.jsonl:1", NoticeJson(LotJson("1", "Mobilier Lambert") + ", " +
                                 LotJson("1-3", "Bureau Design SA") + ", " +
                                 LotJson("1", "Ateliers Dumont")));
  ASSERT_TRUE(notice.ok()) << notice.status();
  const v1::Tender& t = notice->tender;
  ASSERT_EQ(t.lots_size(), 3);
  EXPECT_EQ(t.lots(0).id(), "1");
  EXPECT_EQ(t.lots(1).id(), "1-3");
  EXPECT_EQ(t.lots(2).id(), "1-4");
  // Each award follows its own lot.
  ASSERT_EQ(t.awards_size(), 3);
  EXPECT_EQ(t.awards(2).lot_id(), "1-4");
  EXPECT_EQ(t.awards(2).winners(0).name(), "Ateliers Dumont");
  EXPECT_THAT(notice->warnings,
              Contains(HasSubstr("lot 3: id \"1\" is given to an earlier lot "
                                 "too; this one is now \"1-4\"")));
}

TEST(TedImporterHostileTest, JsonIdsAreReadAsTheXmlImportersReadThem) {
  // White space in an id field comes out as in TED XML's text: one space
  // for each run, none at the ends (validation refuses ids holding control
  // characters, so "2\t" would otherwise lose the whole notice).
  std::string line = NoticeJson(LotJson("2\\t", "Mobilier Lambert") + ", " +
                                LotJson("Lot\\n\\n 3 ", "Bureau Design SA"));
  line.replace(line.find("\"123456-2021\""), 13, "\"\\n123456-2021\\r\\n\"");
  auto notice = ImportTedReducedJson("ids.jsonl:1", line);
  ASSERT_TRUE(notice.ok()) << notice.status();
  const v1::Tender& t = notice->tender;
  ASSERT_EQ(t.lots_size(), 2);
  EXPECT_EQ(t.lots(0).id(), "2");
  EXPECT_EQ(t.lots(1).id(), "Lot 3");
  EXPECT_EQ(t.awards(1).lot_id(), "Lot 3");
  EXPECT_THAT(t.id(), HasSubstr("123456-2021"));
  EXPECT_EQ(t.id().find_first_of("\n\r\t "), std::string::npos) << t.id();
}

TEST(TedImporterHostileTest, LongLotIdsAreShortenedUniquely) {
  // As in notice 097556-2021: seven lots whose ids are their long titles,
  // alike for their first 200 bytes (here two-byte letters, so that a cut
  // can split one).
  std::string prefix;
  for (int i = 0; i < 100; ++i) prefix += "é";
  std::string lots;
  for (int i = 1; i <= 7; ++i) {
    if (i > 1) lots += ", ";
    lots +=
        LotJson(prefix + " partie " + std::to_string(i), "Entreprise Verbeke");
  }
  auto notice = ImportTedReducedJson("long.jsonl:1", NoticeJson(lots));
  ASSERT_TRUE(notice.ok()) << notice.status();
  const v1::Tender& t = notice->tender;
  ASSERT_EQ(t.lots_size(), 7);
  std::set<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    const std::string& id = t.lots(i).id();
    EXPECT_LE(id.size(), 128u);
    const size_t hash = id.find('~');
    ASSERT_NE(hash, std::string::npos) << id;
    EXPECT_EQ(hash % 2, 0u) << "cut inside a UTF-8 sequence: " << id;
    ids.insert(id);
    EXPECT_EQ(t.awards(i).lot_id(), id);
  }
  EXPECT_EQ(ids.size(), 7u);
  EXPECT_THAT(notice->warnings,
              Contains(HasSubstr("lot id of 209 bytes is longer than 128; "
                                 "shortened to")));
}

TEST(TedImporterHostileTest, WrongTypedFieldsAreIgnoredWithAWarning) {
  auto notice = ImportTedReducedJson(
      "types.jsonl:1",
      "{\"doc_id\": \"123456-2021\", \"date\": \"2021-13-45\", \"title\": "
      "\"Fourniture de mobilier\", \"cpv\": [\"39100000\"], \"value_eur\": "
      "\"12 000\", \"lots\": \"1\"}");
  ASSERT_TRUE(notice.ok()) << notice.status();
  EXPECT_FALSE(notice->tender.has_estimated_value());
  EXPECT_FALSE(notice->tender.has_published());
  for (const char* expected :
       {"field value_eur: a string, not a number; ignored",
        "field lots: a string, not a list; ignored",
        "field date: \"2021-13-45\" is not a date"}) {
    EXPECT_THAT(notice->warnings, Contains(HasSubstr(expected))) << expected;
  }
}

TEST(TedImporterHostileTest, JsonLineIsBoundedBeforeParsing) {
  // 32k nested arrays took 25 s in the parser; a 200 KB line never ended.
  for (int levels : {32000, 100000}) {
    std::string line = "{\"doc_id\": \"123456-2021\", \"cpv\": ";
    line += std::string(levels, '[') + std::string(levels, ']') + "}";
    auto deep = ImportTedReducedJson("deep.jsonl:7", line);
    EXPECT_EQ(deep.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(deep.status().message(),
                HasSubstr("deep.jsonl:7: JSON nested more than 64 levels deep "
                          "(limit max_json_depth)"));
  }
  ImportLimits limits;
  limits.max_json_line_bytes = 100;
  EXPECT_THAT(
      ImportTedReducedJson("long.jsonl:2", NoticeJson(""), limits)
          .status()
          .message(),
      HasSubstr("long.jsonl:2: line of 159 bytes, longer than the limit of "
                "100 (max_json_line_bytes)"));
  EXPECT_THAT(ImportTedReducedJson("twice.jsonl:3",
                                   "{\"doc_id\": \"1\", \"doc_id\": \"2\"}")
                  .status()
                  .message(),
              HasSubstr("twice.jsonl:3: field \"doc_id\" is given twice"));
  // A '"' in single quotes, which protobuf's parser reads as a string, hid
  // the nesting from the scan: 20,000 levels took 20 s (session 21).
  std::string quoted = "{\"doc_id\": \"1-2020\", \"x\": '\"', \"lots\": ";
  quoted +=
      std::string(100000, '[') + std::string(100000, ']') + ", 'y': '\"'}";
  EXPECT_THAT(ImportTedReducedJson("quoted.jsonl:4", quoted).status().message(),
              HasSubstr("quoted.jsonl:4: field \"x\": a string in single "
                        "quotes is not JSON (byte 26)"));
  // A byte order mark is not a JSON value.
  EXPECT_TRUE(
      ImportTedReducedJson("bom.jsonl:1", "\xEF\xBB\xBF" + NoticeJson(""))
          .ok());
}

}  // namespace
}  // namespace procmatch
