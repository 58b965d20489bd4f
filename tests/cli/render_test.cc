// Table cells of the procmatch tool: supplier names in Cyrillic, Greek and
// Polish are cut on code point boundaries, so that the table stays valid
// UTF-8 and its columns line up.
#include "examples/render.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace cli {
namespace {

size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool EndsWithEllipsis(const std::string& text) {
  const std::string ellipsis = "…";
  return text.size() >= ellipsis.size() &&
         text.compare(text.size() - ellipsis.size(), ellipsis.size(),
                      ellipsis) == 0;
}

// Real names of European defence suppliers, longer than the table's column.
const char* const kLongNames[] = {
    "Българска корпорация за отбранителни технологии ЕАД",
    "Ελληνικά Αμυντικά Συστήματα Α.Ε.",
    "Zakłady Mechaniczne Bumar-Łabędy Spółka Akcyjna",
};

TEST(CellTest, CutsLongNamesOnCodePointBoundaries) {
  for (const char* name : kLongNames) {
    // Every width: each cut falls at a different place in the multi-byte
    // sequences, one of which used to leave half a character behind.
    for (size_t width = 1; width < CodePoints(name); ++width) {
      const std::string cell = Cell(name, width);
      SCOPED_TRACE(testing::Message() << name << " width " << width);
      EXPECT_TRUE(IsValidUtf8(cell)) << cell;
      EXPECT_EQ(CodePoints(cell), width) << cell;
      EXPECT_TRUE(EndsWithEllipsis(cell)) << cell;
    }
  }
}

TEST(CellTest, KeepsTheStartOfTheName) {
  EXPECT_EQ(Cell("Българска корпорация за отбранителни технологии ЕАД", 20),
            "Българска корпораци…");
  EXPECT_EQ(Cell("Ελληνικά Αμυντικά Συστήματα Α.Ε.", 12), "Ελληνικά Αμ…");
  EXPECT_EQ(Cell("Zakłady Mechaniczne Bumar-Łabędy Spółka Akcyjna", 36),
            "Zakłady Mechaniczne Bumar-Łabędy Sp…");
}

TEST(CellTest, PadsShortNamesToTheWidthInCodePoints) {
  const std::string cell = Cell("Ελληνικά Αμυντικά Συστήματα Α.Ε.", 36);
  EXPECT_EQ(cell, "Ελληνικά Αμυντικά Συστήματα Α.Ε.    ");
  EXPECT_EQ(CodePoints(cell), 36u);
  EXPECT_EQ(Cell("Łabędy", 8), "Łabędy  ");
  EXPECT_EQ(Cell("", 3), "   ");
}

TEST(CellTest, NameOfExactlyTheWidthIsKeptWhole) {
  EXPECT_EQ(Cell("Łabędy", 6), "Łabędy");
  EXPECT_EQ(Cell("Łabędy", 5), "Łabę…");
}

TEST(CellTest, ZeroWidthIsEmpty) { EXPECT_EQ(Cell("Łabędy", 0), ""); }

// Zero is not a match: a response without matches says that no supplier
// fits, and one with matches does not.
TEST(PrintTableTest, SaysNoSupplierFitsOnlyWhenNoneIsListed) {
  v1::Tender tender;
  tender.set_id("PL-MON-2021-DESIGN");
  tender.set_title("Usługi projektowe");
  v1::MatchResponse none;
  none.mutable_counters()->set_suppliers_considered(150);
  std::ostringstream empty;
  PrintTable(tender, none, /*explain=*/false, empty);
  EXPECT_NE(empty.str().find("no supplier fits"), std::string::npos)
      << empty.str();

  v1::MatchResponse one = none;
  v1::SupplierMatch* m = one.add_matches();
  m->set_supplier_id("BE-0410472920");
  m->set_supplier_name("Kempen Avionics NV");
  m->set_rank(1);
  m->set_score(0.42);
  std::ostringstream listed;
  PrintTable(tender, one, /*explain=*/false, listed);
  EXPECT_EQ(listed.str().find("no supplier fits"), std::string::npos)
      << listed.str();
  EXPECT_NE(listed.str().find("Kempen Avionics NV"), std::string::npos);
}

}  // namespace
}  // namespace cli
}  // namespace procmatch
