#include "procmatch/cpv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace procmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const CpvTaxonomy& Cpv() { return CpvTaxonomy::Builtin(); }

CpvCode Code(const char* text) {
  absl::StatusOr<CpvCode> code = Cpv().Parse(text);
  EXPECT_TRUE(code.ok()) << code.status();
  return code.value_or(CpvCode());
}

TEST(CpvTaxonomyTest, BuiltinHasTheWholeVocabulary) {
  EXPECT_EQ(Cpv().size(), 9454);
}

TEST(CpvTaxonomyTest, ParsesWithAndWithoutCheckDigit) {
  EXPECT_EQ(Code("35613000-4"), Code("35613000"));
  EXPECT_EQ(Code(" 35613000 ").digits(), 35613000u);
  EXPECT_EQ(Code("03000000-1").digits(), 3000000u);
}

TEST(CpvTaxonomyTest, RejectsWrongCheckDigit) {
  absl::StatusOr<CpvCode> code = Cpv().Parse("35613000-5");
  ASSERT_FALSE(code.ok());
  EXPECT_THAT(code.status().message(),
              HasSubstr("\"35613000-5\" has check digit 5, expected 4"));
}

TEST(CpvTaxonomyTest, RejectsUnknownAndMalformedCodes) {
  EXPECT_THAT(Cpv().Parse("35613001").status().message(),
              HasSubstr("unknown CPV code \"35613001\""));
  EXPECT_THAT(Cpv().Parse("3530000").status().message(),
              HasSubstr("malformed CPV code \"3530000\""));
  EXPECT_FALSE(Cpv().Parse("").ok());
  EXPECT_FALSE(Cpv().Parse("3561300A").ok());
  EXPECT_FALSE(Cpv().Parse("35613000-").ok());
  EXPECT_FALSE(Cpv().Parse("35613000_4").ok());
}

TEST(CpvTaxonomyTest, Labels) {
  EXPECT_EQ(Cpv().Label(Code("35613000")), "Unmanned aerial vehicles");
  EXPECT_EQ(Cpv().Label(CpvCode::FromDigits(35613001)), "");
  EXPECT_EQ(Cpv().WithCheckDigit(Code("35700000")), "35700000-1");
}

TEST(CpvCodeTest, DepthFollowsSignificantDigits) {
  EXPECT_EQ(Code("35000000").depth(), 2);
  EXPECT_EQ(Code("35600000").depth(), 3);
  EXPECT_EQ(Code("35610000").depth(), 4);
  EXPECT_EQ(Code("35613000").depth(), 5);
  EXPECT_EQ(Code("34711200").depth(), 6);
  EXPECT_EQ(Code("03000000").depth(), 2);
}

TEST(CpvCodeTest, CoversDescendantsOnly) {
  EXPECT_TRUE(Code("35600000").Covers(Code("35613000")));
  EXPECT_TRUE(Code("35613000").Covers(Code("35613000")));
  EXPECT_FALSE(Code("35613000").Covers(Code("35600000")));
  EXPECT_FALSE(Code("35700000").Covers(Code("35613000")));
}

TEST(CpvTaxonomyTest, AncestorsNearestFirst) {
  EXPECT_THAT(
      Cpv().Ancestors(Code("35613000")),
      ElementsAre(Code("35610000"), Code("35600000"), Code("35000000")));
  EXPECT_TRUE(Cpv().Ancestors(Code("35000000")).empty());
}

TEST(CpvTaxonomyTest, CommonDepth) {
  EXPECT_EQ(Cpv().CommonDepth(Code("35613000"), Code("35613000")), 5);
  EXPECT_EQ(Cpv().CommonDepth(Code("35613000"), Code("35600000")), 3);
  // Same division, different groups.
  EXPECT_EQ(Cpv().CommonDepth(Code("35613000"), Code("35710000")), 2);
  EXPECT_EQ(Cpv().CommonDepth(Code("35613000"), Code("72000000")), 0);
}

TEST(CpvTaxonomyTest, PrefixLookup) {
  EXPECT_TRUE(Cpv().HasCodeWithPrefix("3561"));
  EXPECT_TRUE(Cpv().HasCodeWithPrefix("35"));
  EXPECT_TRUE(Cpv().HasCodeWithPrefix("35613000"));
  EXPECT_FALSE(Cpv().HasCodeWithPrefix("99"));
  EXPECT_FALSE(
      Cpv().HasCodeWithPrefix("3561300"
                              "1"));
  EXPECT_FALSE(Cpv().HasCodeWithPrefix("35a"));
}

TEST(CpvTaxonomyTest, OrdinalsAreDenseAndOrdered) {
  for (int i = 0; i < Cpv().size(); ++i) {
    ASSERT_EQ(Cpv().Ordinal(Cpv().CodeAt(i)), i);
    if (i > 0) {
      ASSERT_LT(Cpv().CodeAt(i - 1), Cpv().CodeAt(i));
    }
  }
  EXPECT_EQ(Cpv().Ordinal(CpvCode::FromDigits(35613001)), -1);
}

TEST(CpvTaxonomyTest, FromTsvNamesTheBadLine) {
  absl::StatusOr<CpvTaxonomy> cpv =
      CpvTaxonomy::FromTsv("code\tlabel_en\n35613000-4\tUAV\n3561300-4\tBad\n");
  ASSERT_FALSE(cpv.ok());
  EXPECT_THAT(cpv.status().message(), HasSubstr("line 3"));
  EXPECT_FALSE(CpvTaxonomy::FromTsv("code\tlabel_en\n").ok());
  EXPECT_THAT(
      CpvTaxonomy::FromTsv("code\tlabel\n35613000-4\tA\n35613000-4\tB\n")
          .status()
          .message(),
      HasSubstr("duplicate"));
}

}  // namespace
}  // namespace procmatch
