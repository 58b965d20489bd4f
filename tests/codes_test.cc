// Tests of the small code modules: ISO lists, registry identifiers, UTF-8
// and dates.
#include <memory>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/dates.h"
#include "procmatch/identifiers.h"
#include "procmatch/iso_codes.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace {

using ::testing::HasSubstr;

TEST(IsoCodesTest, Countries) {
  EXPECT_TRUE(IsIsoCountry("BE"));
  EXPECT_TRUE(IsIsoCountry("XK"));
  EXPECT_FALSE(IsIsoCountry("EL"));  // NUTS prefix, not ISO.
  EXPECT_FALSE(IsIsoCountry("be"));
  EXPECT_FALSE(IsIsoCountry("BEL"));
}

TEST(IsoCodesTest, LanguagesAndCurrencies) {
  for (const char* lang : {"fr", "nl", "de", "en", "fi", "ga", "mt"}) {
    EXPECT_TRUE(IsIsoLanguage(lang)) << lang;
  }
  EXPECT_FALSE(IsIsoLanguage("FR"));
  EXPECT_FALSE(IsIsoLanguage("vl"));
  EXPECT_TRUE(IsIsoCurrency("EUR"));
  EXPECT_TRUE(IsIsoCurrency("SEK"));
  EXPECT_FALSE(IsIsoCurrency("EURO"));
}

// The bit sets against binary search over the lists: every code of two or
// three letters in either case, and random strings of any bytes.
TEST(IsoCodesTest, CodeSetsEqualSearchingTheLists) {
  int countries = 0, languages = 0, currencies = 0;
  auto check = [&](const std::string& code) {
    const bool country = IsIsoCountry(code);
    const bool language = IsIsoLanguage(code);
    const bool currency = IsIsoCurrency(code);
    EXPECT_EQ(country, internal::IsIsoCountryBySearch(code)) << code;
    EXPECT_EQ(language, internal::IsIsoLanguageBySearch(code)) << code;
    EXPECT_EQ(currency, internal::IsIsoCurrencyBySearch(code)) << code;
    countries += country;
    languages += language;
    currencies += currency;
  };
  std::string letters;
  for (char c = 'A'; c <= 'Z'; ++c) letters += c;
  for (char c = 'a'; c <= 'z'; ++c) letters += c;
  for (char a : letters) {
    for (char b : letters) {
      check(std::string{a, b});
      for (char c : letters) check(std::string{a, b, c});
    }
  }
  // The lists' sizes (Debian's iso-codes), so that a code the sets cannot
  // hold would show.
  EXPECT_GT(countries, 240);
  EXPECT_GT(languages, 170);
  EXPECT_GT(currencies, 150);
  std::mt19937 random(29);
  for (int i = 0; i < 20000; ++i) {
    std::string code(random() % 5, '\0');
    for (char& c : code) {
      c = i % 2 == 0 ? letters[random() % letters.size()]
                     : static_cast<char>(random());
    }
    check(code);
  }
}

TEST(IsoCodesTest, Alpha3ToAlpha2) {
  EXPECT_EQ(CountryAlpha2("FRA"), "FR");
  EXPECT_EQ(CountryAlpha2("bel"), "BE");
  EXPECT_EQ(CountryAlpha2("GRC"), "GR");
  EXPECT_EQ(CountryAlpha2("XXX"), "");
  EXPECT_EQ(LanguageAlpha2("FRA"), "fr");
  EXPECT_EQ(LanguageAlpha2("FRE"), "fr");  // Bibliographic code.
  EXPECT_EQ(LanguageAlpha2("NLD"), "nl");
  EXPECT_EQ(LanguageAlpha2("ENG"), "en");
  EXPECT_EQ(LanguageAlpha2("QQQ"), "");
}

TEST(IsoCodesTest, EdfEligibility) {
  EXPECT_TRUE(IsEuMemberState("BE"));
  EXPECT_TRUE(IsEuMemberState("GR"));
  EXPECT_FALSE(IsEuMemberState("NO"));
  EXPECT_FALSE(IsEuMemberState("GB"));
  EXPECT_TRUE(IsEdfEligibleCountry("NO"));
  EXPECT_FALSE(IsEdfEligibleCountry("US"));
  EXPECT_FALSE(IsEdfEligibleCountry("CH"));
}

TEST(IdentifiersTest, Kbo) {
  EXPECT_TRUE(CheckKbo("0203.201.340").ok());
  EXPECT_TRUE(CheckKbo("0203201340").ok());
  EXPECT_THAT(CheckKbo("0203.201.341").message(),
              HasSubstr("check digits 41, expected 40"));
  EXPECT_THAT(CheckKbo("203.201.340").message(), HasSubstr("10 digits"));
  EXPECT_THAT(CheckKbo("2203.201.340").message(),
              HasSubstr("start with 0 or 1"));
  EXPECT_FALSE(CheckKbo("0203-201-340").ok());
}

TEST(IdentifiersTest, Vat) {
  EXPECT_TRUE(CheckVat("BE0203201340").ok());
  EXPECT_THAT(CheckVat("BE0203201341").message(), HasSubstr("Belgian VAT"));
  EXPECT_TRUE(CheckVat("FR40303265045").ok());
  EXPECT_FALSE(CheckVat("0203201340").ok());
  EXPECT_FALSE(CheckVat("be0203201340").ok());
}

TEST(IdentifiersTest, LeiNcagePic) {
  EXPECT_TRUE(CheckLei("5493001KJTIIGC8Y1R12").ok());
  EXPECT_THAT(CheckLei("5493001KJTIIGC8Y1R13").message(),
              HasSubstr("ISO 7064"));
  EXPECT_FALSE(CheckLei("5493001KJTIIGC8Y1R1").ok());
  EXPECT_TRUE(CheckNcage("B1234").ok());
  EXPECT_FALSE(CheckNcage("b1234").ok());
  EXPECT_TRUE(CheckPic("999999999").ok());
  EXPECT_FALSE(CheckPic("99999999X").ok());
}

TEST(Utf8Test, AcceptsMultilingualText) {
  EXPECT_TRUE(IsValidUtf8("Liège, Köln, Ελλάδα, Straße, 🛰"));
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_EQ(FirstInvalidUtf8Offset("Li\xe8ge"), 2);          // Latin-1 byte.
  EXPECT_EQ(FirstInvalidUtf8Offset("ab\xc0\xaf"), 2);        // Overlong '/'.
  EXPECT_EQ(FirstInvalidUtf8Offset("\xed\xa0\x80"), 0);      // Surrogate.
  EXPECT_EQ(FirstInvalidUtf8Offset("\xf4\x90\x80\x80"), 0);  // > U+10FFFF.
  EXPECT_EQ(FirstInvalidUtf8Offset("ok\xe2\x82"), 2);        // Truncated.
  EXPECT_EQ(FirstInvalidUtf8Offset("\x80"), 0);  // Lone continuation.
}

// DecodeUtf8 on arbitrary bytes, against the validator as its twin: at
// each position it takes a whole sequence exactly where the validator
// finds the text from there well-formed up to the next sequence, and
// otherwise one byte as U+FFFD; it never reads past the end (ASan checks
// that each text is its own allocation).
TEST(Utf8Test, DecodesArbitraryBytesLikeTheValidator) {
  std::mt19937 random(20261129);
  // Lead and continuation bytes are drawn often, so that truncated and
  // interrupted sequences are common.
  const unsigned char kBytes[] = {'a',  0x7f, 0x80, 0xbf, 0xc0, 0xc3,
                                  0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
                                  0xf4, 0xf5, 0xff, 0x82, 0xa0, 0x90};
  int replaced = 0, decoded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const size_t size = 1 + random() % 6;
    auto bytes = std::make_unique<char[]>(size);
    for (size_t i = 0; i < size; ++i) {
      bytes[i] = static_cast<char>(kBytes[random() % sizeof(kBytes)]);
    }
    const absl::string_view text(bytes.get(), size);
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t before = pos;
      const char32_t c = DecodeUtf8(text, &pos);
      ASSERT_GT(pos, before);
      ASSERT_LE(pos, text.size());
      const absl::string_view taken = text.substr(before, pos - before);
      if (FirstInvalidUtf8Offset(text.substr(before)) == 0) {
        ASSERT_EQ(c, kReplacementCharacter) << absl::CHexEscape(text);
        ASSERT_EQ(taken.size(), 1u);
        ++replaced;
      } else {
        ASSERT_TRUE(IsValidUtf8(taken)) << absl::CHexEscape(text);
        std::string again;
        AppendUtf8(c, &again);
        ASSERT_EQ(again, taken) << absl::CHexEscape(text);
        ++decoded;
      }
    }
  }
  EXPECT_GT(replaced, 1000);
  EXPECT_GT(decoded, 1000);
}

// FirstInvalidUtf8Offset skips ASCII eight bytes at a time. Twin: the first
// byte DecodeUtf8, which reads one sequence at a time, replaces (a valid
// U+FFFD takes three bytes), on texts of ASCII runs of any length around
// random bytes, so that a bad byte falls at every offset of a word.
TEST(Utf8Test, FindsTheFirstInvalidByteAcrossAsciiRuns) {
  std::mt19937 random(20261201);
  const unsigned char kBytes[] = {0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82,
                                  0xac, 0xed, 0xa0, 0xf0, 0x9f, 0xff,
                                  0xef, 0xbf, 0xbd, 0x00, 0x7f};
  int invalid = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text;
    for (int piece = static_cast<int>(random() % 4); piece >= 0; --piece) {
      text.append(random() % 20, static_cast<char>('a' + random() % 26));
      for (int b = static_cast<int>(random() % 3); b > 0; --b) {
        text.push_back(static_cast<char>(kBytes[random() % sizeof(kBytes)]));
      }
    }
    ptrdiff_t want = -1;
    for (size_t pos = 0; pos < text.size();) {
      const size_t before = pos;
      if (DecodeUtf8(text, &pos) == kReplacementCharacter &&
          pos - before == 1) {
        want = static_cast<ptrdiff_t>(before);
        break;
      }
    }
    invalid += want >= 0 ? 1 : 0;
    ASSERT_EQ(FirstInvalidUtf8Offset(text), want) << absl::CHexEscape(text);
  }
  EXPECT_GT(invalid, 5000);
  EXPECT_LT(invalid, 19000);
}

// AppendUtf8 is DecodeUtf8's inverse at every encoded length, and its
// output is well-formed.
TEST(Utf8Test, EncodesWhatDecodes) {
  for (char32_t c : {U'a', U'\x7f', U'é', U'\x7ff', U'Ł', U'€', U'\xffff',
                     U'\x10000', U'\x1F681', U'\x10FFFF'}) {
    std::string s;
    AppendUtf8(c, &s);
    ASSERT_TRUE(IsValidUtf8(s)) << static_cast<uint32_t>(c);
    size_t pos = 0;
    EXPECT_EQ(DecodeUtf8(s, &pos), c);
    EXPECT_EQ(pos, s.size());
  }
}

TEST(Utf8Test, DecodesCodePoints) {
  const std::string s = "aé€🛰";
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(s, &pos), U'a');
  EXPECT_EQ(DecodeUtf8(s, &pos), U'é');
  EXPECT_EQ(DecodeUtf8(s, &pos), U'€');
  EXPECT_EQ(DecodeUtf8(s, &pos), U'🛰');
  EXPECT_EQ(pos, s.size());
}

TEST(DatesTest, ParseFormatAndCheck) {
  absl::StatusOr<v1::Date> d = ParseDate("2024-02-29");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(FormatDate(*d), "2024-02-29");
  EXPECT_THAT(ParseDate("2026-02-29").status().message(),
              HasSubstr("2026-02-29 is not a date"));
  EXPECT_FALSE(ParseDate("2026-2-28").ok());
  EXPECT_FALSE(ParseDate("1850-01-01").ok());
  v1::Date unset;
  EXPECT_TRUE(IsUnset(unset));
  EXPECT_FALSE(CheckDate(unset).ok());
  EXPECT_EQ(ToDate(ToCivilDay(*d)).DebugString(), d->DebugString());
}

TEST(DatesTest, UtcDayOfTimestamp) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1767225599);  // 2025-12-31T23:59:59Z
  EXPECT_EQ(UtcDay(ts), absl::CivilDay(2025, 12, 31));
}

}  // namespace
}  // namespace procmatch
