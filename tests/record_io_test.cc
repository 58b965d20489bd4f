#include "procmatch/record_io.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Tender Tender(const std::string& id) {
  v1::Tender t;
  t.set_id(id);
  t.set_title("Handverschießbares Leuchtmittel");
  t.set_main_cpv("35300000");
  return t;
}

struct Read {
  std::vector<int> records;
  std::vector<std::string> ids;
  std::vector<std::string> rejected;
  absl::Status status;
};

Read ReadAll(const std::string& content, RecordFormat format) {
  Read r;
  r.status = ReadRecords<v1::Tender>(
      "tenders", content, format,
      [&](int record, v1::Tender t) {
        r.records.push_back(record);
        r.ids.push_back(t.id());
      },
      [&](absl::Status s) { r.rejected.emplace_back(s.message()); });
  return r;
}

TEST(RecordIoTest, FormatFromPath) {
  EXPECT_EQ(*RecordFormatFromPath("a/tenders.jsonl"), RecordFormat::kJsonLines);
  EXPECT_EQ(*RecordFormatFromPath("t.textproto"), RecordFormat::kTextFormat);
  EXPECT_EQ(*RecordFormatFromPath("t.binpb"), RecordFormat::kBinaryDelimited);
  EXPECT_THAT(RecordFormatFromPath("t.xml").status().message(),
              HasSubstr("t.xml: unknown record format"));
  EXPECT_FALSE(ParseRecordFormat("csv").ok());
}

TEST(RecordIoTest, RoundTripsEveryFormat) {
  for (RecordFormat f :
       {RecordFormat::kJsonLines, RecordFormat::kBinaryDelimited}) {
    std::string out;
    for (const char* id : {"T-1", "T-2", "T-3"}) {
      ASSERT_TRUE(AppendRecord(Tender(id), f, &out).ok());
    }
    Read r = ReadAll(out, f);
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_THAT(r.ids, ElementsAre("T-1", "T-2", "T-3"));
    EXPECT_THAT(r.rejected, IsEmpty());
  }
  std::string text;
  ASSERT_TRUE(
      AppendRecord(Tender("T-9"), RecordFormat::kTextFormat, &text).ok());
  EXPECT_THAT(ReadAll(text, RecordFormat::kTextFormat).ids, ElementsAre("T-9"));
}

TEST(RecordIoTest, BadJsonLineIsReportedAndTheRestKept) {
  std::string out;
  ASSERT_TRUE(AppendRecord(Tender("T-1"), RecordFormat::kJsonLines, &out).ok());
  out += "{\"id\": \"T-2\", \"no_such_field\": 1}\n\n{\"id\": \n";
  ASSERT_TRUE(AppendRecord(Tender("T-5"), RecordFormat::kJsonLines, &out).ok());
  Read r = ReadAll(out, RecordFormat::kJsonLines);
  EXPECT_TRUE(r.status.ok());
  EXPECT_THAT(r.ids, ElementsAre("T-1", "T-5"));
  EXPECT_THAT(r.records, ElementsAre(1, 5));  // Blank line 3 is skipped.
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_THAT(r.rejected[0], HasSubstr("tenders: record 2: not a Tender"));
  EXPECT_THAT(r.rejected[0], HasSubstr("no_such_field"));
  EXPECT_THAT(r.rejected[1], HasSubstr("tenders: record 4: not a Tender"));
}

TEST(RecordIoTest, BadTextFormatNamesLineAndColumn) {
  Read r = ReadAll("id: \"T-1\"\ntitle: 7 7\n", RecordFormat::kTextFormat);
  EXPECT_THAT(r.ids, IsEmpty());
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_THAT(r.rejected[0],
              HasSubstr("tenders: record 1: not a Tender: line 2"));
}

TEST(RecordIoTest, TruncatedBinaryStreamKeepsWhatWasRead) {
  std::string out;
  for (const char* id : {"T-1", "T-2"}) {
    ASSERT_TRUE(
        AppendRecord(Tender(id), RecordFormat::kBinaryDelimited, &out).ok());
  }
  Read r =
      ReadAll(out.substr(0, out.size() - 5), RecordFormat::kBinaryDelimited);
  EXPECT_THAT(r.ids, ElementsAre("T-1"));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status.message(), HasSubstr("tenders: record 2: truncated"));
  // A size prefix cut in the middle.
  Read cut = ReadAll(out.substr(0, 0) + "\xff", RecordFormat::kBinaryDelimited);
  EXPECT_EQ(cut.status.code(), absl::StatusCode::kDataLoss);
}

TEST(RecordIoTest, CorruptBinaryRecordIsSkippedByItsSize) {
  std::string good1, good2;
  ASSERT_TRUE(
      AppendRecord(Tender("T-1"), RecordFormat::kBinaryDelimited, &good1).ok());
  ASSERT_TRUE(
      AppendRecord(Tender("T-3"), RecordFormat::kBinaryDelimited, &good2).ok());
  // Size 3, then an invalid tag (field number 0).
  const std::string bad = std::string("\x03\x00\x00\x00", 4);
  Read r = ReadAll(good1 + bad + good2, RecordFormat::kBinaryDelimited);
  EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.ids, ElementsAre("T-1", "T-3"));
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_THAT(r.rejected[0],
              HasSubstr("tenders: record 2: not a valid Tender"));
}

TEST(RecordIoTest, MissingFileIsNamed) {
  auto content = ReadFileOrStdin("/nonexistent/tenders.jsonl");
  EXPECT_EQ(content.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(content.status().message(),
              HasSubstr("/nonexistent/tenders.jsonl"));
}

}  // namespace
}  // namespace procmatch
