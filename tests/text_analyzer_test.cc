#include "procmatch/text_analyzer.h"

#include <algorithm>
#include <memory>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/certification.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Terms(absl::string_view text, absl::string_view lang) {
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, lang);
  EXPECT_TRUE(terms.ok()) << terms.status();
  return terms.value_or(std::vector<std::string>{});
}

TEST(TextAnalyzerTest, DutchStemsMeet) {
  // Plural and inflected forms share a stem.
  EXPECT_EQ(Terms("onbemande luchtvaartuigen", "nl"),
            Terms("onbemand luchtvaartuig", "nl"));
  EXPECT_THAT(Terms("Ontwerp van onbemande luchtvaartuigen", "nl"),
              ElementsAre("ontwerp", "onbemand", "luchtvaartu"));
}

TEST(TextAnalyzerTest, FrenchStemsAndAccentsMeet) {
  EXPECT_EQ(Terms("Systèmes de drones", "fr"), Terms("systeme drone", "fr"));
  EXPECT_THAT(Terms("Fourniture de systèmes", "fr"),
              ElementsAre("fournitur", "system"));
}

TEST(TextAnalyzerTest, GermanUpperCaseUmlautsAndEszett) {
  EXPECT_THAT(Terms("Überwachung und Aufklärung", "de"),
              ElementsAre("uberwach", "aufklar"));
  EXPECT_THAT(Terms("Straße", "de"), ElementsAre("strass"));
}

TEST(TextAnalyzerTest, CodesStayWhole) {
  EXPECT_THAT(
      Terms("AQAP-2110 and STANAG 4569, calibre 5.56 mm", "en"),
      ElementsAre("aqap-2110", "stanag", "4569", "calibr", "5.56", "mm"));
  // A hyphenated word without digits splits into words.
  EXPECT_THAT(Terms("counter-drone", "en"), ElementsAre("counter", "drone"));
  // Sentence punctuation after a code is not part of it.
  EXPECT_THAT(Terms("ISO 9001.", "en"), ElementsAre("iso", "9001"));
}

TEST(TextAnalyzerTest, StopwordsPerLanguage) {
  EXPECT_THAT(Terms("de la défense", "fr"), ElementsAre("defens"));
  // "de" is a Dutch stopword too, but "la" is not.
  EXPECT_THAT(Terms("de la", "nl"), ElementsAre("la"));
}

// Common function words of languages beyond the first four count for
// nothing: a text analyses as it does without them.
TEST(TextAnalyzerTest, StopwordsForEveryEuLanguage) {
  const struct {
    const char* language;
    const char* text;
    const char* without_stop_words;
  } cases[] = {
      {"bg", "доставка на лекарства за болницата",
       "доставка лекарства болницата"},
      {"pl", "dostawa oraz montaż urządzeń dla szpitala",
       "dostawa montaż urządzeń szpitala"},
      {"ro", "servicii de curățenie pentru spitalul din Cluj",
       "servicii curățenie spitalul Cluj"},
      {"es", "suministro de material para el hospital",
       "suministro material hospital"},
      {"it", "fornitura di farmaci per la azienda",
       "fornitura farmaci azienda"},
      {"cs", "dodávka a instalace pro nemocnici",
       "dodávka instalace nemocnici"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Terms(c.text, c.language),
              Terms(c.without_stop_words, c.language))
        << c.language;
    EXPECT_NE(Terms(c.text, c.language), Terms(c.text, "xx")) << c.language;
  }
}

TEST(TextAnalyzerTest, UnknownLanguageFoldsWithoutStemming) {
  EXPECT_THAT(Terms("Systèmes", "xx"), ElementsAre("systemes"));
  EXPECT_THAT(Terms("Systèmes", ""), ElementsAre("systemes"));
  EXPECT_TRUE(HasStemmer("fi"));
  EXPECT_FALSE(HasStemmer("porter"));
  EXPECT_FALSE(HasStemmer("xx"));
}

TEST(TextAnalyzerTest, GreekAndCyrillicLowerCase) {
  EXPECT_EQ(FoldText("ΕΛΛΆΔΑ"), "ελλάδα");
  EXPECT_EQ(FoldText("БЪЛГАРИЯ"), "българия");
  EXPECT_EQ(FoldText("Łódź Liège ØRSTED Œuvre Ĳssel"),
            "lodz liege orsted oeuvre ijssel");
}

TEST(TextAnalyzerTest, InvalidUtf8IsAnError) {
  absl::StatusOr<std::vector<std::string>> terms =
      AnalyzeText("Li\xe8ge", "fr");
  ASSERT_FALSE(terms.ok());
  EXPECT_THAT(terms.status().message(), HasSubstr("not valid UTF-8 (byte 2)"));
}

// FoldText has no error to return: a malformed byte becomes U+FFFD, and a
// sequence cut short at the end is never read past (each text below is its
// own allocation, so ASan sees an overread).
TEST(TextAnalyzerTest, FoldTextReplacesMalformedBytes) {
  for (const char* raw : {"ok\xe2\x82", "\xc3", "Li\xe8ge", "\xf0\x9f\x9b"}) {
    const std::string text(raw);
    auto copy = std::make_unique<char[]>(text.size());
    std::copy(text.begin(), text.end(), copy.get());
    const std::string folded =
        FoldText(absl::string_view(copy.get(), text.size()));
    EXPECT_TRUE(IsValidUtf8(folded)) << raw;
    EXPECT_THAT(folded, HasSubstr("\uFFFD")) << raw;
  }
  EXPECT_EQ(FoldText("Li\xe8ge"), "li\uFFFDge");
}

TEST(TextAnalyzerTest, GuessesLanguageFromStopwords) {
  EXPECT_EQ(GuessLanguage("Fourniture de systèmes de drones pour la défense"),
            "fr");
  EXPECT_EQ(GuessLanguage("Levering van drones voor de politie en het leger"),
            "nl");
  EXPECT_EQ(
      GuessLanguage("Lieferung von Drohnen für die Bundeswehr und die Polizei"),
      "de");
  EXPECT_EQ(GuessLanguage("Supply of drones for the police and the army"),
            "en");
  EXPECT_EQ(GuessLanguage("35613000"), "en");
}

TEST(TextAnalyzerTest, ThreadsGetTheSameTerms) {
  const std::vector<std::string> expected =
      Terms("Conception de munitions éclairantes", "fr");
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        results[t] = *AnalyzeText("Conception de munitions éclairantes", "fr");
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

// The stem memo changes nothing: random words built from stems and suffixes
// of eight languages (accents, hyphens, codes, words longer than the memo
// keeps, more distinct words than it holds, so it is emptied and refilled)
// give AnalyzeText the terms of stemming every word.
TEST(TextAnalyzerTest, StemMemoEqualsStemmingEveryWord) {
  const char* const kStems[] = {
      "défens",  "véhicul", "onbemand", "luchtvaart", "Flugkörp", "überwach",
      "θωρακισ", "πυρομαχ", "système",  "drone",      "munici",   "straße"};
  const char* const kSuffixes[] = {"",      "s",     "es",   "ations", "ing",
                                   "ungen", "ement", "ικών", "-2110",  "en",
                                   "ées",   "erend", ".5",   "ή",      "ität"};
  const char* const kLanguages[] = {"fr", "nl", "de", "en",
                                    "el", "hu", "it", ""};
  const char* const kStopWords[] = {"de",  "la",  "het", "der",
                                    "the", "και", "és",  "il"};
  std::mt19937 rng(20261129);
  for (int round = 0; round < 3; ++round) {
    for (const char* language : kLanguages) {
      std::string text;
      const int words = round == 2 ? kStemMemoEntries / 4 : 3000;
      for (int i = 0; i < words; ++i) {
        absl::StrAppend(&text, kStems[rng() % 12]);
        // Distinct words, so that the memo fills: a random letter run.
        for (int k = rng() % 4; k > 0; --k) {
          text.push_back(static_cast<char>('a' + rng() % 26));
        }
        absl::StrAppend(&text, kSuffixes[rng() % 15]);
        if (i % 500 == 0) text.append(kStemMemoWordBytes, 'e');
        text.push_back(i % 7 == 0 ? '-' : ' ');
        // Stop words, which the memo marks as such.
        if (i % 9 == 0) absl::StrAppend(&text, kStopWords[rng() % 8], " ");
      }
      absl::StatusOr<std::vector<std::string>> twin =
          internal::AnalyzeTextWithoutMemo(text, language);
      ASSERT_TRUE(twin.ok()) << twin.status();
      absl::StatusOr<std::vector<std::string>> plain_twin =
          internal::AnalyzeTextWithoutMemo(text, "");
      ASSERT_TRUE(plain_twin.ok()) << plain_twin.status();
      // Twice: stems computed, then from the memo. The two forms the
      // alert rules use come from the same memo (stem, folded word, stop
      // word).
      for (int pass = 0; pass < 2; ++pass) {
        EXPECT_EQ(Terms(text, language), *twin) << language << " " << round;
        absl::StatusOr<StemmedAndPlainTerms> both =
            AnalyzeStemmedAndPlain(text, language);
        ASSERT_TRUE(both.ok()) << both.status();
        EXPECT_EQ(both->stemmed, *twin) << language << " " << round;
        EXPECT_EQ(both->plain, *plain_twin) << language << " " << round;
      }
    }
  }
  EXPECT_EQ(internal::AnalyzeTextWithoutMemo("drones \xff", "fr").status(),
            AnalyzeText("drones \xff", "fr").status());
}

// Pieces of text in several scripts and languages: words, connectors,
// codes, every kind of rune the folding tables hold (two-byte Latin,
// Greek, Cyrillic; three- and four-byte runes), stop words.
constexpr const char* kTextPieces[] = {"Défense",
                                       "VÉHICULES",
                                       "onbemande",
                                       "Luchtvaartuigen",
                                       "Flugkörper",
                                       "ÜBERWACHUNG",
                                       "Θωρακισμένα",
                                       "ΠΥΡΟΜΑΧΙΚΑ",
                                       "Системи",
                                       "дронове",
                                       "Straße",
                                       "ŁÓDŹ",
                                       "Œuvre",
                                       "ØRESUND",
                                       "þing",
                                       "ǅ",
                                       "ſ",
                                       "K",
                                       "İ",
                                       "AQAP-2110",
                                       "5.56",
                                       "anti-drone",
                                       "the",
                                       "de",
                                       "und",
                                       "και",
                                       "€",
                                       "😀",
                                       "中文",
                                       "×",
                                       "÷",
                                       " ",
                                       "  ",
                                       "\n",
                                       "-",
                                       ".",
                                       "/",
                                       ",",
                                       "'"};
// Languages with a stemmer, without one, none and an unknown one.
constexpr const char* kTextLanguages[] = {"fr", "nl", "de", "en", "el",
                                          "bg", "pl", "",   "xx"};

// The one-pass analysis with folding against its twin, the separate
// passes (AnalyzeStemmedAndPlain, FoldText), on random text of words in
// several scripts and languages, connectors, codes, every kind of rune the
// folding tables hold (two-byte Latin, Greek, Cyrillic; three- and
// four-byte runes), and random bytes that make it invalid UTF-8.
TEST(TextAnalyzerTest, StemmedPlainAndFoldedEqualsSeparatePasses) {
  std::mt19937 rng(20261130);
  int invalid = 0;
  for (int round = 0; round < 600; ++round) {
    std::string text;
    for (int k = rng() % 40; k > 0; --k) {
      text +=
          kTextPieces[rng() % (sizeof(kTextPieces) / sizeof(kTextPieces[0]))];
      if (rng() % 3 == 0) text.push_back(' ');
    }
    if (round % 4 == 3) {  // A few random bytes anywhere: mostly invalid.
      for (int k = 1 + rng() % 3; k > 0; --k) {
        text.insert(text.begin() + rng() % (text.size() + 1),
                    static_cast<char>(rng() % 256));
      }
    }
    const char* language = kTextLanguages[rng() % 9];
    absl::StatusOr<StemmedPlainAndFolded> one =
        AnalyzeStemmedPlainAndFolded(text, language);
    absl::StatusOr<StemmedAndPlainTerms> twin =
        AnalyzeStemmedAndPlain(text, language);
    ASSERT_EQ(one.status(), twin.status()) << text;
    if (!twin.ok()) {
      ++invalid;
      continue;
    }
    EXPECT_EQ(one->terms.stemmed, twin->stemmed) << text << " " << language;
    EXPECT_EQ(one->terms.plain, twin->plain) << text << " " << language;
    EXPECT_EQ(one->folded, FoldText(text)) << text;
  }
  EXPECT_GT(invalid, 50);  // Both outcomes are exercised.
  EXPECT_LT(invalid, 150);
}

// The analysis's lowering, folding and tokenising (tables, eight ASCII
// bytes at a time, tokens as spans) against LowerByRune, FoldText and
// AnalyzeTextWithoutMemo, which build everything rune by rune: every byte
// of ASCII (NUL to DEL, and the edges of 'A'..'Z' for the eight-byte
// lowering: '@', '[', '`', '{'), runs of ASCII longer and shorter than eight,
// accents, Greek, Cyrillic, runes of three and four bytes, connectors,
// codes, and bytes that are not well-formed (overlong, truncated,
// surrogate, stray continuation, above U+10FFFF), on random strings and on
// every rune of the Basic Multilingual Plane.
void ExpectAnalysisEqualsByRune(const std::string& text, const char* language) {
  std::string lower, folded, lower_only;
  const bool valid = internal::LowerAndFold(text, &lower, &folded);
  ASSERT_EQ(valid, IsValidUtf8(text)) << text;
  ASSERT_EQ(internal::LowerAndFold(text, &lower_only, nullptr), valid);
  absl::StatusOr<std::vector<std::string>> twin =
      internal::AnalyzeTextWithoutMemo(text, language);
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, language);
  ASSERT_EQ(terms.status(), twin.status()) << text;
  absl::StatusOr<StemmedPlainAndFolded> one =
      AnalyzeStemmedPlainAndFolded(text, language);
  ASSERT_EQ(one.status(), twin.status()) << text;
  if (!valid) return;
  EXPECT_EQ(lower, internal::LowerByRune(text)) << text;
  EXPECT_EQ(lower_only, lower) << text;
  EXPECT_EQ(folded, FoldText(text)) << text;
  EXPECT_EQ(*terms, *twin) << text << " " << language;
  absl::StatusOr<std::vector<std::string>> plain_twin =
      internal::AnalyzeTextWithoutMemo(text, "");
  ASSERT_TRUE(plain_twin.ok());
  EXPECT_EQ(one->terms.stemmed, *twin) << text << " " << language;
  EXPECT_EQ(one->terms.plain, *plain_twin) << text << " " << language;
  EXPECT_EQ(one->folded, folded) << text;
}

TEST(TextAnalyzerTest, TableLoweringAndTokensEqualRuneByRune) {
  constexpr const char* kPieces[] = {"DRONES",
                                     "Systèmes",
                                     "SYSTÈMES",
                                     "aqap-2110",
                                     "AQAP-2110",
                                     "5.56",
                                     "anti-drone",
                                     "Anti--Drone",
                                     "a/b",
                                     "x.",
                                     "-x",
                                     "ŒUVRE",
                                     "Straße",
                                     "ŸVES",
                                     "ÆRØ",
                                     "ΘΩΡΑΚΙΣΜΕΝΑ",
                                     "ς",
                                     "ДРОНОВЕ",
                                     "Ѐ",
                                     "ǅ",
                                     "×",
                                     "÷",
                                     "€",
                                     "中文",
                                     "😀",
                                     "K",
                                     "İ",
                                     "ſ",
                                     "de",
                                     "the",
                                     "und",
                                     " ",
                                     "  ",
                                     "\n",
                                     ",",
                                     "'",
                                     "@",
                                     "[",
                                     "`",
                                     "{",
                                     "\x7f",

                                     "\xc0\x80",
                                     "\xc3",
                                     "\xed\xa0\x80",
                                     "\x80",
                                     "\xf4\x90\x80\x80",
                                     "\xe2\x82"};
  constexpr size_t kPieceCount = sizeof(kPieces) / sizeof(kPieces[0]);
  std::mt19937 rng(20261201);
  int invalid = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (int k = rng() % 24; k > 0; --k) {
      switch (rng() % 4) {
        case 0: {  // A run of random ASCII, crossing eight-byte blocks.
          for (int b = rng() % 20; b > 0; --b) {
            text.push_back(static_cast<char>(rng() % 128));
          }
          break;
        }
        case 1:
          text.append(1 + rng() % 12, static_cast<char>('A' + rng() % 26));
          break;
        default: {
          const size_t piece = rng() % kPieceCount;
          // The malformed pieces (the last six) one time in eight.
          if (piece + 6 >= kPieceCount && rng() % 8 != 0) break;
          text += kPieces[piece];
        }
      }
      if (rng() % 3 == 0) text.push_back(' ');
    }
    if (!IsValidUtf8(text)) ++invalid;
    ExpectAnalysisEqualsByRune(text, kTextLanguages[rng() % 9]);
  }
  EXPECT_GT(invalid, 100);  // Both outcomes are exercised.
  EXPECT_LT(invalid, 2000);
  // Every rune of the plane (and a few above it) between letters, upper-
  // and lower-case, 256 runes a text.
  std::string text;
  for (char32_t c = 0x80; c <= 0x10FFFF; c = c < 0xFFFF ? c + 1 : c + 0x3FF) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    text += c % 2 == 0 ? "X" : "x";
    AppendUtf8(c, &text);
    text += c % 3 == 0 ? "Y " : "y-";
    if (c % 256 == 0) {
      ExpectAnalysisEqualsByRune(text, c % 512 == 0 ? "fr" : "");
      text.clear();
    }
  }
  ExpectAnalysisEqualsByRune(text, "de");
}

// A vocabulary of terms for the twin below: ids in its maps, -1 for the
// others, each lookup counted.
struct TestVocabulary {
  uint64_t owner = NewTermVocabularyOwner();
  absl::flat_hash_map<std::string, int32_t> plain, stemmed;
  int lookups = 0;
  int32_t Find(const absl::flat_hash_map<std::string, int32_t>& map,
               absl::string_view term) {
    ++lookups;
    auto it = map.find(term);
    return it == map.end() ? -1 : it->second;
  }
};

// The ids the word memo keeps (TermVocabulary) against their twin, each
// term of AnalyzeStemmedAndPlain looked up in the vocabulary, on random
// text of kTextPieces and random words in languages with and without a
// stemmer: two vocabularies with different ids take turns (a word's ids
// from one are never taken for the other's), one is renewed (a new owner:
// the ids it gave before are not reused), the terms are left out on demand,
// and the memo overflows on the way; AnalyzeTextWithIds' stemmed terms and
// ids, asked before or after the memo has the words' ids, equal them too;
// and a word met again is not looked up.
TEST(TextAnalyzerTest, VocabularyIdsEqualLookingUpEachTerm) {
  std::mt19937 rng(20261130);
  // Mostly short; one in eight of 44-51 letters, around the longest word
  // the memo keeps (kStemMemoWordBytes).
  auto random_word = [&] {
    std::string word;
    for (int k = rng() % 8 == 0 ? 44 + rng() % 8 : 2 + rng() % 6; k > 0; --k) {
      word.push_back('a' + rng() % 26);
    }
    return word;
  };
  // Up to 29 random words and pieces.
  auto random_text = [&] {
    constexpr size_t kPieceCount = sizeof(kTextPieces) / sizeof(kTextPieces[0]);
    std::string text;
    for (int k = rng() % 30; k > 0; --k) {
      absl::StrAppend(
          &text,
          rng() % 2 == 0 ? random_word() : kTextPieces[rng() % kPieceCount],
          " ");
    }
    return text;
  };
  TestVocabulary vocabularies[2];
  // Every term of some texts, given ids at random: about half of a text's
  // terms have one, in each vocabulary differently.
  for (int round = 0; round < 200; ++round) {
    const char* language = kTextLanguages[rng() % 9];
    std::string text = random_text();
    absl::StatusOr<StemmedAndPlainTerms> terms =
        AnalyzeStemmedAndPlain(text, language);
    ASSERT_TRUE(terms.ok()) << terms.status();
    for (TestVocabulary& v : vocabularies) {
      for (const std::string& t : terms->plain) {
        if (rng() % 2 == 0) v.plain.try_emplace(t, rng() % 1000);
      }
      for (const std::string& t : terms->stemmed) {
        if (rng() % 2 == 0) v.stemmed.try_emplace(t, rng() % 1000);
      }
    }
  }
  for (int round = 0; round < 3000; ++round) {
    const int language_index = rng() % 9;
    const char* language = kTextLanguages[language_index];
    std::string text = random_text();
    if (round == 1500) {  // Overflows the memo: every word forgotten.
      for (int k = 0; k < kStemMemoEntries; ++k) {
        absl::StrAppend(&text, random_word(), random_word(), " ");
      }
    }
    TestVocabulary& v = vocabularies[rng() % 2];
    if (round % 500 == 499) {  // Ids changed: a new owner.
      v.owner = NewTermVocabularyOwner();
      for (auto& [term, id] : v.plain) id = (id + 7) % 1000;
    }
    auto plain_id = [&](absl::string_view t) { return v.Find(v.plain, t); };
    // A stem's id depends on the language, as an alert index's does (a map
    // per language): a word met in one language says nothing of another.
    auto stemmed_id = [&](absl::string_view t) {
      const int32_t id = v.Find(v.stemmed, t);
      return id < 0 ? id : id + 1000 * language_index;
    };
    const bool with_terms = rng() % 2 == 0;
    const TermVocabulary vocabulary{v.owner, plain_id, stemmed_id, with_terms};
    // The stemmed terms and their ids alone, before or after the words'
    // ids are in the memo.
    const bool stemmed_first = rng() % 2 == 0;
    absl::StatusOr<TermsAndIds> stemmed;
    if (stemmed_first) stemmed = AnalyzeTextWithIds(text, language, vocabulary);
    absl::StatusOr<StemmedPlainAndFolded> analysed =
        AnalyzeStemmedPlainAndFolded(text, language, &vocabulary);
    ASSERT_TRUE(analysed.ok()) << analysed.status();
    if (!stemmed_first) {
      stemmed = AnalyzeTextWithIds(text, language, vocabulary);
    }
    ASSERT_TRUE(stemmed.ok()) << stemmed.status();
    absl::StatusOr<StemmedAndPlainTerms> twin =
        AnalyzeStemmedAndPlain(text, language);
    ASSERT_TRUE(twin.ok()) << twin.status();
    std::vector<int32_t> plain_ids, stemmed_ids;
    for (const std::string& t : twin->plain) {
      plain_ids.push_back(v.Find(v.plain, t));
    }
    for (const std::string& t : twin->stemmed) {
      stemmed_ids.push_back(stemmed_id(t));
    }
    ASSERT_EQ(analysed->terms.plain_ids, plain_ids) << text << " " << language;
    ASSERT_EQ(analysed->terms.stemmed_ids, stemmed_ids)
        << text << " " << language;
    ASSERT_EQ(stemmed->ids, stemmed_ids) << text << " " << language;
    if (with_terms) {
      EXPECT_EQ(analysed->terms.plain, twin->plain);
      EXPECT_EQ(analysed->terms.stemmed, twin->stemmed);
      EXPECT_EQ(stemmed->terms, twin->stemmed);
    } else {
      EXPECT_TRUE(analysed->terms.plain.empty());
      EXPECT_TRUE(analysed->terms.stemmed.empty());
      EXPECT_TRUE(stemmed->terms.empty());
    }
    EXPECT_EQ(analysed->folded, FoldText(text));
  }
  // The memo answers a word met before: a text of words (no codes) again
  // costs no lookup.
  TestVocabulary& v = vocabularies[0];
  auto plain_id = [&](absl::string_view t) { return v.Find(v.plain, t); };
  auto stemmed_id = [&](absl::string_view t) { return v.Find(v.stemmed, t); };
  const TermVocabulary vocabulary{v.owner, plain_id, stemmed_id};
  const char* kNotice =
      "Fourniture de systèmes de drones et de leur maintenance";
  ASSERT_TRUE(AnalyzeStemmedPlainAndFolded(kNotice, "fr", &vocabulary).ok());
  const int first = v.lookups;
  ASSERT_TRUE(AnalyzeStemmedPlainAndFolded(kNotice, "fr", &vocabulary).ok());
  EXPECT_EQ(v.lookups, first);
  // Without a vocabulary: no ids.
  absl::StatusOr<StemmedPlainAndFolded> plain =
      AnalyzeStemmedPlainAndFolded("onbemande luchtvaartuigen", "nl");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->terms.plain_ids.empty());
  EXPECT_TRUE(plain->terms.stemmed_ids.empty());
  EXPECT_EQ(plain->terms.stemmed.size(), 2u);
}

// A TermVocabulary function that analyses text breaks its contract (the
// walk that called it holds a word of the thread's memo): the process stops
// there, deterministically, instead of writing through a dangling reference
// that only a sanitizer would see.
TEST(TextAnalyzerDeathTest, VocabularyThatAnalysesTextAborts) {
  auto analysing_id = [](absl::string_view term) {
    // A word of another language the memo has not met: learnt into it.
    absl::StatusOr<std::vector<std::string>> terms =
        AnalyzeText(absl::StrCat("onbemande ", term), "nl");
    return static_cast<int32_t>(terms.ok() ? terms->size() : 0);
  };
  auto plain_id = [](absl::string_view) { return int32_t{0}; };
  const TermVocabulary vocabulary{NewTermVocabularyOwner(), plain_id,
                                  analysing_id};
  EXPECT_DEATH((void)AnalyzeTextWithIds("véhicules aériens", "fr", vocabulary),
               "analysed text during the analysis that called it");
  // The same functions outside an analysis are fine.
  EXPECT_EQ(analysing_id("luchtvaartuigen"), 2);
}

TEST(CertificationTest, SpellingsOfOneSchemeMeet) {
  EXPECT_EQ(NormalizeScheme("AQAP 2110"), "aqap2110");
  EXPECT_EQ(NormalizeScheme("AQAP-2110 Ed. D"), "aqap2110");
  EXPECT_EQ(NormalizeScheme("aqap2110"), "aqap2110");
  EXPECT_EQ(NormalizeScheme("AQAP 2110 Edition 3"), "aqap2110");
  EXPECT_EQ(NormalizeScheme("ISO/IEC 27001:2022"), "iso27001");
  EXPECT_EQ(NormalizeScheme("ISO 27001"), "iso27001");
  EXPECT_EQ(NormalizeScheme("EN 9100"), "en9100");
  EXPECT_NE(NormalizeScheme("AQAP 2110"), NormalizeScheme("AQAP 2310"));
  EXPECT_NE(NormalizeScheme("ISO 9001"), NormalizeScheme("ISO 14001"));
}

}  // namespace
}  // namespace procmatch
