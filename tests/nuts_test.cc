#include "procmatch/nuts.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace procmatch {
namespace {

using ::testing::HasSubstr;

NutsCode Nuts(const char* text) {
  absl::StatusOr<NutsCode> code = NutsTaxonomy::Builtin().Parse(text);
  EXPECT_TRUE(code.ok()) << code.status();
  return code.value_or(NutsCode());
}

TEST(NutsTaxonomyTest, KnowsEveryLevelByPrefix) {
  EXPECT_EQ(Nuts("BE").level(), 0);
  EXPECT_EQ(Nuts("BE2").level(), 1);
  EXPECT_EQ(Nuts("BE21").level(), 2);
  EXPECT_EQ(Nuts("BE211").level(), 3);
  EXPECT_EQ(Nuts(" be211 ").code(), "BE211");
  EXPECT_EQ(Nuts("EL303").nuts_country(), "EL");
}

TEST(NutsTaxonomyTest, RejectsUnknownAndMalformed) {
  EXPECT_THAT(NutsTaxonomy::Builtin().Parse("BE299").status().message(),
              HasSubstr("unknown NUTS 2021 code \"BE299\""));
  EXPECT_THAT(NutsTaxonomy::Builtin().Parse("B").status().message(),
              HasSubstr("malformed"));
  EXPECT_FALSE(NutsTaxonomy::Builtin().Parse("BE2111").ok());
  EXPECT_FALSE(NutsTaxonomy::Builtin().Parse("1E21").ok());
  EXPECT_FALSE(NutsTaxonomy::Builtin().Parse("US").ok());
}

TEST(NutsCodeTest, SameRegionAtEachLevel) {
  const NutsCode antwerp = Nuts("BE211"), ghent = Nuts("BE234"),
                 liege = Nuts("BE332");
  EXPECT_TRUE(NutsCode::SameRegion(antwerp, ghent, 0));
  EXPECT_TRUE(NutsCode::SameRegion(antwerp, ghent, 1));
  EXPECT_FALSE(NutsCode::SameRegion(antwerp, ghent, 2));
  EXPECT_FALSE(NutsCode::SameRegion(antwerp, liege, 1));
  // A coarser code is not in a region finer than itself.
  EXPECT_FALSE(NutsCode::SameRegion(Nuts("BE2"), antwerp, 2));
  EXPECT_EQ(NutsCode::CommonLevel(antwerp, ghent), 1);
  EXPECT_EQ(NutsCode::CommonLevel(antwerp, antwerp), 3);
  EXPECT_EQ(NutsCode::CommonLevel(antwerp, Nuts("FR101")), -1);
  EXPECT_EQ(antwerp.AtLevel(1), Nuts("BE2"));
}

TEST(NutsTaxonomyTest, LabelsInFourLanguages) {
  const NutsTaxonomy& nuts = NutsTaxonomy::Builtin();
  EXPECT_EQ(nuts.Label(Nuts("BE2"), "fr"), "Région flamande");
  EXPECT_EQ(nuts.Label(Nuts("BE33"), "nl"), "Provincie Luik");
  EXPECT_EQ(nuts.Label(Nuts("BE211"), "de"), "Arr. Antwerpen");
  // No German label for Belgian provinces: English is the fallback.
  EXPECT_EQ(nuts.Label(Nuts("BE33"), "de"), "Province of Liège");
  EXPECT_EQ(nuts.Label(Nuts("FR"), "en"), "");
}

TEST(NutsCountryTest, GreeceAndUnitedKingdomDifferFromIso) {
  EXPECT_EQ(IsoCountryOfNuts("EL"), "GR");
  EXPECT_EQ(IsoCountryOfNuts("UK"), "GB");
  EXPECT_EQ(IsoCountryOfNuts("BE"), "BE");
  EXPECT_EQ(NutsCountryOfIso("GR"), "EL");
  EXPECT_EQ(NutsCountryOfIso("FR"), "FR");
}

}  // namespace
}  // namespace procmatch
