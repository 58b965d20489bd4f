// Golden test: the bundled Belgian sample (data/sample/) ranked for its seven
// tenders -- a defence-directive UAV tender with clearance and AQAP rules, an
// EDF-style call with eligibility rules, and five real TED defence notices
// (414920-2021, 308849-2021, 010233-2021, 277905-2021, 460098-2021) -- with
// the expected ranking and every exclusion reason in
// tests/testdata/golden_sample.txt. To accept a deliberate change, run
//   bazel run //tests:golden_test --
//   --update=$PWD/tests/testdata/golden_sample.txt
// and review the diff.
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace {

std::string g_update_path;

std::string ReadFile(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  return content.value_or("");
}

std::string Golden() {
  SupplierIndex::Builder builder;
  auto fail = [](absl::Status s) { ADD_FAILURE() << s; };
  ReadRecords<v1::SupplierProfile>(
      "suppliers", ReadFile("data/sample/suppliers.jsonl"),
      RecordFormat::kJsonLines,
      [&](int, v1::SupplierProfile p) {
        absl::Status added = builder.Add(std::move(p));
        if (!added.ok()) ADD_FAILURE() << added;
      },
      fail)
      .IgnoreError();
  std::shared_ptr<const SupplierIndex> index = *std::move(builder).Build();
  Matcher matcher(index);
  std::string out;
  ReadRecords<v1::Tender>(
      "tenders", ReadFile("data/sample/tenders.jsonl"),
      RecordFormat::kJsonLines,
      [&](int, v1::Tender tender) {
        v1::MatchRequest request;
        *request.mutable_tender() = tender;
        request.mutable_options()->set_top_k(5);
        request.mutable_options()->set_include_excluded(true);
        absl::StatusOr<v1::MatchResponse> r = matcher.Match(request);
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          return;
        }
        absl::StrAppend(&out, "== ", tender.id(), "\n");
        for (const auto& m : r->matches()) {
          absl::StrAppend(&out, absl::StrFormat("%d. %-40s %.4f\n", m.rank(),
                                                m.supplier_name(), m.score()));
          for (const auto& c : m.components()) {
            if (c.contribution() < 0.01) continue;
            absl::StrAppend(
                &out, absl::StrFormat("     %-40s %.4f  %s\n",
                                      v1::ScoreComponentKind_Name(c.kind()),
                                      c.contribution(), c.detail()));
          }
        }
        for (const auto& e : r->excluded()) {
          absl::StrAppend(&out, "x ", e.supplier_name(), "\n");
          for (const auto& reason : e.reasons()) {
            absl::StrAppend(&out, "     ", reason.requirement_id(), ": ",
                            reason.reason(), "\n");
          }
        }
      },
      fail)
      .IgnoreError();
  return out;
}

TEST(GoldenTest, BelgianSampleRankingAndExclusions) {
  const std::string actual = Golden();
  if (!g_update_path.empty()) {
    std::ofstream(g_update_path) << actual;
    GTEST_SKIP() << "wrote " << g_update_path;
  }
  EXPECT_EQ(actual, ReadFile("tests/testdata/golden_sample.txt"));
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--update=", 9) == 0) {
      procmatch::g_update_path = argv[i] + 9;
    }
  }
  return RUN_ALL_TESTS();
}
