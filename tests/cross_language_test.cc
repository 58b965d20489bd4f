// Matching across languages through CPV concepts: a French tender finds a
// supplier that describes itself only in Dutch, the same tender in four
// languages ranks the bundled sample alike, and the explanation says it in
// words.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/matcher.h"
#include "procmatch/options.h"
#include "procmatch/record_io.h"
#include "procmatch/supplier_index.h"
#include "procmatch/text_analyzer.h"
#include "tests/random_corpus.h"

namespace procmatch {
namespace {

v1::SupplierProfile Profile(const std::string& id, const std::string& text,
                            const std::string& language) {
  v1::SupplierProfile p;
  p.set_id(id);
  p.set_name(id);
  p.set_country("BE");
  p.set_description(text);
  p.set_description_language(language);
  return p;
}

std::shared_ptr<const SupplierIndex> Index(
    std::vector<v1::SupplierProfile> profiles) {
  SupplierIndex::Builder builder;
  for (auto& p : profiles) {
    absl::Status s = builder.Add(std::move(p));
    EXPECT_TRUE(s.ok()) << s;
  }
  return *std::move(builder).Build();
}

v1::MatchRequest Request(const std::string& title, const std::string& language,
                         const std::string& main_cpv) {
  v1::MatchRequest r;
  v1::Tender& t = *r.mutable_tender();
  t.set_id("T-1");
  t.set_title(title);
  t.set_language(language);
  if (!main_cpv.empty()) t.set_main_cpv(main_cpv);
  r.mutable_options()->set_top_k(3);
  return r;
}

TEST(CrossLanguageTest, FrenchTenderFindsDutchOnlyUavMaker) {
  Matcher matcher(Index({
      Profile("nl-uav",
              "Wij ontwerpen en bouwen onbemande luchtvaartuigen voor "
              "verkenning en bewaking",
              "nl"),
      Profile("nl-roads", "Aanleg en onderhoud van wegen en bruggen", "nl"),
      Profile("fr-catering",
              "Services de restauration collective et de traiteur", "fr"),
      Profile("de-software", "Entwicklung von Buchhaltungssoftware", "de"),
  }));
  for (const std::string& code : {std::string(""), std::string("35613000")}) {
    v1::MatchRequest r = Request(
        "Acquisition de véhicules aériens sans pilote pour la surveillance",
        "fr", code);
    absl::StatusOr<v1::MatchResponse> m = matcher.Match(r);
    ASSERT_TRUE(m.ok()) << m.status();
    ASSERT_GE(m->matches_size(), 1);
    EXPECT_EQ(m->matches(0).supplier_id(), "nl-uav") << m->DebugString();
    // The indexed path equals the exhaustive one here too.
    absl::StatusOr<v1::MatchResponse> slow = matcher.MatchExhaustive(r);
    ASSERT_TRUE(slow.ok());
    ASSERT_EQ(slow->matches_size(), m->matches_size());
    for (int i = 0; i < m->matches_size(); ++i) {
      EXPECT_EQ(slow->matches(i).supplier_id(), m->matches(i).supplier_id());
      EXPECT_EQ(slow->matches(i).score(), m->matches(i).score());
    }
    // In words: the Dutch words and the French ones mean the same code.
    std::string detail;
    for (const auto& c : m->matches(0).components()) {
      if (c.kind() == v1::SCORE_COMPONENT_KIND_CONCEPTS) detail = c.detail();
    }
    EXPECT_NE(detail.find("onbemande"), std::string::npos) << detail;
    EXPECT_NE(detail.find("CPV 35613000"), std::string::npos) << detail;
  }
}

// Options::cpv_concepts = false: no concepts are computed, and the
// component scores 0 whatever its weight, so the Dutch-only profile (no
// codes, no French words) is no longer reached.
TEST(CrossLanguageTest, ConceptLayerOffScoresNoConcepts) {
  Options options;
  options.cpv_concepts = false;
  SupplierIndex::Builder builder(options);
  ASSERT_TRUE(builder
                  .Add(Profile("nl-uav",
                               "Wij ontwerpen en bouwen onbemande "
                               "luchtvaartuigen voor verkenning",
                               "nl"))
                  .ok());
  ASSERT_TRUE(
      builder
          .Add(Profile("fr-uav", "Conception de véhicules aériens sans pilote",
                       "fr"))
          .ok());
  Matcher matcher(*std::move(builder).Build());
  v1::MatchRequest r = Request(
      "Acquisition de véhicules aériens sans pilote pour la surveillance", "fr",
      "");
  for (bool exhaustive : {false, true}) {
    absl::StatusOr<v1::MatchResponse> m =
        exhaustive ? matcher.MatchExhaustive(r) : matcher.Match(r);
    ASSERT_TRUE(m.ok()) << m.status();
    for (const auto& x : m->matches()) {
      EXPECT_NE(x.supplier_id(), "nl-uav") << m->DebugString();
      for (const auto& c : x.components()) {
        if (c.kind() == v1::SCORE_COMPONENT_KIND_CONCEPTS) {
          EXPECT_EQ(c.value(), 0) << c.DebugString();
        }
      }
    }
  }
}

// The words of `text` meaning `code` as explanations first wrote them, each
// text analysed anew (CpvConcepts::Evidence): the reference for the
// explanations that reuse the tender's analysed words.
std::string WordsByEvidence(absl::string_view text, absl::string_view language,
                            CpvCode code) {
  absl::StatusOr<std::vector<ConceptEvidence>> evidence =
      CpvConcepts::Builtin().Evidence(text, language, code);
  if (!evidence.ok()) return "";
  std::vector<std::string> words;
  for (const ConceptEvidence& e : *evidence) {
    if (words.size() == 3) break;
    if (std::find(words.begin(), words.end(), e.word) == words.end()) {
      words.push_back(e.word);
    }
  }
  return words.empty() ? "" : absl::StrCat("'", absl::StrJoin(words, " "), "'");
}

std::string SupplierWordsByEvidence(const v1::SupplierProfile& p,
                                    CpvCode code) {
  for (const auto& [text, language] : internal::ConceptTexts(p)) {
    if (text.empty()) continue;
    const std::string lang =
        language.empty() ? GuessLanguage(text) : std::string(language);
    if (!CpvConcepts::IsConceptLanguage(lang)) continue;
    std::string words = WordsByEvidence(text, lang, code);
    if (!words.empty()) return words;
  }
  return "its profile";
}

// The CPV codes a detail names ("CPV 35613000 (...)"), in order.
std::vector<CpvCode> NamedCodes(const std::string& detail) {
  std::vector<CpvCode> out;
  for (size_t at = detail.find("CPV "); at != std::string::npos;
       at = detail.find("CPV ", at + 4)) {
    absl::StatusOr<CpvCode> code =
        CpvConcepts::Builtin().cpv().Parse(detail.substr(at + 4, 8));
    if (code.ok()) out.push_back(*code);
  }
  return out;
}

// Explanations reuse the tender's words analysed once instead of analysing
// its text again for every supplier listed: the concept details are word for
// word what analysing each text anew gives, on random suppliers and tenders.
TEST(CrossLanguageTest, ConceptWordingEqualsEvidenceOfEachTextAnew) {
  const std::vector<v1::SupplierProfile> suppliers =
      testing::RandomSuppliers(600, 81);
  Matcher matcher(Index(suppliers));
  const CpvTaxonomy& cpv = CpvConcepts::Builtin().cpv();
  auto code_and_label = [&](CpvCode c) {
    return absl::StrCat(c.ToString(), " (", cpv.Label(c), ")");
  };
  int compared = 0;
  for (v1::MatchRequest r : testing::RandomRequests(120, 82)) {
    r.mutable_tender()->clear_lots();
    r.clear_lot_id();
    const v1::Tender& t = r.tender();
    const std::string text = absl::StrCat(t.title(), "\n", t.description());
    absl::StatusOr<v1::MatchResponse> m = matcher.Match(r);
    ASSERT_TRUE(m.ok()) << m.status();
    for (const auto& x : m->matches()) {
      const v1::SupplierProfile* p = nullptr;
      for (const auto& s : suppliers) {
        if (s.id() == x.supplier_id()) p = &s;
      }
      ASSERT_NE(p, nullptr);
      for (const auto& c : x.components()) {
        if (c.kind() != v1::SCORE_COMPONENT_KIND_CONCEPTS ||
            c.detail().empty()) {
          continue;
        }
        const std::vector<CpvCode> codes = NamedCodes(c.detail());
        ASSERT_GE(codes.size(), 1u) << c.detail();
        const CpvCode s = codes.front(), tender_code = codes.back();
        // The words of a tender's text only when it states no code: the
        // codes it states are what it means.
        const bool states_codes =
            !t.main_cpv().empty() || t.additional_cpv_size() > 0;
        std::string tender_words =
            states_codes ? ""
                         : WordsByEvidence(text, t.language(), tender_code);
        if (tender_words.empty()) tender_words = "the tender";
        const std::string supplier_words = SupplierWordsByEvidence(*p, s);
        const std::string expected =
            codes.size() == 1
                ? absl::StrCat(supplier_words, " and ", tender_words,
                               " both mean CPV ", code_and_label(s))
                : absl::StrCat(supplier_words, " means CPV ", code_and_label(s),
                               ", close to ", tender_words, ", CPV ",
                               code_and_label(tender_code));
        EXPECT_EQ(c.detail(), expected);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 200);
}

std::shared_ptr<const SupplierIndex> Sample() {
  absl::StatusOr<std::string> file =
      ReadFileOrStdin("data/sample/suppliers.jsonl");
  EXPECT_TRUE(file.ok()) << file.status();
  std::vector<v1::SupplierProfile> profiles;
  ReadRecords<v1::SupplierProfile>(
      "suppliers", file.value_or(""), RecordFormat::kJsonLines,
      [&](int, v1::SupplierProfile p) { profiles.push_back(std::move(p)); },
      [](absl::Status s) { ADD_FAILURE() << s; })
      .IgnoreError();
  return Index(std::move(profiles));
}

// What the tender means is its stated code, whatever language it is
// written in: every supplier's concepts value is the same for the four
// versions of one tender (doc/scoring.md, "Concepts"), where the concepts
// of the four texts differ.
TEST(CrossLanguageTest, SameTenderInFourLanguagesSameConceptValues) {
  Matcher matcher(Sample());
  const std::pair<const char*, const char*> versions[] = {
      {"fr", "Fourniture de véhicules aériens sans pilote de reconnaissance"},
      {"nl", "Levering van onbemande luchtvaartuigen voor verkenning"},
      {"de", "Lieferung unbemannter Flugkörper zur Aufklärung"},
      {"en", "Supply of unmanned aerial vehicles for reconnaissance"},
  };
  std::vector<std::map<std::string, double>> values;
  for (const auto& [language, title] : versions) {
    v1::MatchRequest r = Request(title, language, "35613000");
    r.mutable_options()->set_top_k(200);
    absl::StatusOr<v1::MatchResponse> m = matcher.Match(r);
    ASSERT_TRUE(m.ok()) << m.status();
    std::map<std::string, double>& v = values.emplace_back();
    for (const auto& x : m->matches()) {
      for (const auto& c : x.components()) {
        // Every supplier with a concepts value above 0 is listed.
        if (c.kind() == v1::SCORE_COMPONENT_KIND_CONCEPTS && c.value() > 0) {
          v[x.supplier_id()] = c.value();
        }
      }
    }
    EXPECT_GT(v.size(), 20u) << language;
  }
  for (size_t i = 1; i < values.size(); ++i) {
    EXPECT_EQ(values[i], values[0]) << versions[i].first << " vs fr";
  }
}

// A supplier writing in another language than the tender's gets, through
// the tender's meaning, the same text value whichever language the tender is
// written in, when the tender's words say its one concept: the translation
// is divided by the largest sum of the tender's words meaning it, which the
// concept's mass cancels out (doc/scoring.md, "Text across languages").
TEST(CrossLanguageTest, TranslatedTextValueDoesNotDependOnTheTendersLanguage) {
  Matcher matcher(Index({
      Profile("nl-uav", "Onbemande luchtvaartuigen voor verkenning", "nl"),
      Profile("nl-uav-long",
              "Bouw van onbemande vliegtuigen, luchtvaartuigen en simulatoren "
              "voor opleiding",
              "nl"),
      Profile("nl-roads", "Aanleg en onderhoud van wegen en bruggen", "nl"),
      Profile("fr-uav", "Véhicules aériens sans pilote", "fr"),
  }));
  const std::pair<const char*, const char*> versions[] = {
      {"fr", "Fourniture de véhicules aériens sans pilote"},
      {"de", "Lieferung unbemannter Flugkörper"},
      {"en", "Supply of unmanned aerial vehicles"},
  };
  std::map<std::string, std::vector<double>> text;  // By supplier.
  for (const auto& [language, title] : versions) {
    v1::MatchRequest r = Request(title, language, "35613000");
    r.mutable_options()->set_top_k(10);
    absl::StatusOr<v1::MatchResponse> m = matcher.Match(r);
    ASSERT_TRUE(m.ok()) << m.status();
    for (const auto& x : m->matches()) {
      for (const auto& c : x.components()) {
        if (c.kind() == v1::SCORE_COMPONENT_KIND_TEXT) {
          text[x.supplier_id()].push_back(c.value());
        }
      }
    }
  }
  for (const char* id : {"nl-uav", "nl-uav-long"}) {
    ASSERT_EQ(text[id].size(), 3u) << id;
    EXPECT_GT(text[id][0], 0.3) << id;
    EXPECT_NEAR(text[id][1], text[id][0], 1e-12) << id << " de vs fr";
    EXPECT_NEAR(text[id][2], text[id][0], 1e-12) << id << " en vs fr";
  }
  // The shorter text that says the whole label is the more relevant.
  EXPECT_GT(text["nl-uav"][0], text["nl-uav-long"][0]);
}

// What the tender means decides, not the language it is written in: every
// UAV maker of the sample gets the same CPV, track record and concepts values
// for the four versions, and a maker writing in another language than the
// tender's gets text relevance through the tender's meaning carried into its
// language at full credit, as much as the tender's words in its language
// would give for that meaning (doc/scoring.md, "Text across languages"). The
// makers' other components differ by 0.001-0.02, so a text value that
// depended on the tender's language reordered them (it did, with
// translations at half credit, until round 8).
TEST(CrossLanguageTest, SameTenderInFourLanguagesSameTopThree) {
  Matcher matcher(Sample());
  const std::pair<const char*, const char*> versions[] = {
      {"fr",
       "Fourniture de véhicules aériens sans pilote de reconnaissance avec "
       "caméras thermiques"},
      {"nl",
       "Levering van onbemande luchtvaartuigen voor verkenning met "
       "warmtebeeldcamera's"},
      {"de",
       "Lieferung unbemannter Flugkörper zur Aufklärung mit "
       "Wärmebildkameras"},
      {"en",
       "Supply of unmanned aerial vehicles for reconnaissance with thermal "
       "cameras"},
  };
  std::vector<std::string> tops;
  for (const auto& [language, title] : versions) {
    absl::StatusOr<v1::MatchResponse> m =
        matcher.Match(Request(title, language, "35613000"));
    ASSERT_TRUE(m.ok()) << m.status();
    std::string top;
    for (const auto& x : m->matches())
      absl::StrAppend(&top, x.supplier_id(), " ");
    tops.push_back(top);
  }
  for (size_t i = 1; i < tops.size(); ++i) {
    EXPECT_EQ(tops[i], tops[0]) << versions[i].first << " vs fr";
  }
}

}  // namespace
}  // namespace procmatch
