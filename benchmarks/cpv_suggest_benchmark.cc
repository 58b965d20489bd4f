// SuggestCpv latency on one core: short texts in several languages and real
// notice-length texts, each language's links built before timing (the
// first use of a language costs its build once: BM_ModelBuild). Run:
//   bazel run -c opt //benchmarks:cpv_suggest_benchmark -- \
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "procmatch/cpv.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace internal {
// The bundled model files, compiled into //lib:cpv_concepts.
extern const char kCpvLabelsTsv[];
extern const char kConceptNoticesTsv[];
extern const char kConceptClassesTsv[];
}  // namespace internal
namespace {

const char* const kShort[][2] = {
    {"nl", "Levering van onbemande luchtvaartuigen"},
    {"fr", "Acquisition de véhicules aériens sans pilote"},
    {"de", "Wartung von Militärfahrzeugen und Panzern"},
    {"pl", "Dostawa bezzałogowych statków powietrznych"},
};

// A notice-length text (about 800 characters, the median of
// data/ted/notices_dev.jsonl).
const char kLong[] =
    "Fourniture de systèmes de drones tactiques de reconnaissance avec "
    "caméras thermiques, formation des opérateurs et maintenance pour la "
    "Défense. Le marché comprend la livraison de véhicules aériens sans "
    "pilote, des stations sol, des pièces de rechange, la documentation "
    "technique et l'assistance pendant cinq ans. Les candidats démontrent "
    "leur expérience de contrats similaires, leur capacité de production et "
    "la conformité aux normes de qualité AQAP-2110. Les offres sont "
    "évaluées sur le prix, la qualité technique, le délai de livraison et "
    "le soutien logistique. Le pouvoir adjudicateur se réserve le droit de "
    "conclure un accord-cadre avec un seul opérateur économique pour une "
    "durée de quatre ans, avec des commandes par bons de commande.";

void SuggestShort(benchmark::State& state, const CpvConcepts& c) {
  for (const auto& t : kShort) (void)c.Suggest(t[1], t[0], 5);  // Warm.
  size_t i = 0;
  for (auto _ : state) {
    const auto& t = kShort[i++ % 4];
    benchmark::DoNotOptimize(c.Suggest(t[1], t[0], 5));
  }
}

void SuggestNoticeLength(benchmark::State& state, const CpvConcepts& c) {
  (void)c.Suggest(kLong, "fr", 5);
  for (auto _ : state) benchmark::DoNotOptimize(c.Suggest(kLong, "fr", 5));
}

void BM_SuggestShort(benchmark::State& state) {
  SuggestShort(state, CpvConcepts::Builtin());
}
BENCHMARK(BM_SuggestShort);

void BM_SuggestNoticeLength(benchmark::State& state) {
  SuggestNoticeLength(state, CpvConcepts::Builtin());
}
BENCHMARK(BM_SuggestNoticeLength);

// The baseline of the two above, in the same process: the classifier as
// the previous release shipped it (round 6: the pooled concept classifier,
// without the discriminative model).
const CpvConcepts& PreviousRelease() {
  static const CpvConcepts* const kPrevious = [] {
    ConceptWeights w;
    w.discriminative = 0;
    return CpvConcepts::Create(
               internal::kCpvLabelsTsv, internal::kConceptNoticesTsv,
               CpvTaxonomy::Builtin(), w, internal::kConceptClassesTsv)
        ->release();
  }();
  return *kPrevious;
}

void BM_SuggestShortPreviousRelease(benchmark::State& state) {
  SuggestShort(state, PreviousRelease());
}
BENCHMARK(BM_SuggestShortPreviousRelease);

void BM_SuggestNoticeLengthPreviousRelease(benchmark::State& state) {
  SuggestNoticeLength(state, PreviousRelease());
}
BENCHMARK(BM_SuggestNoticeLengthPreviousRelease);

void BM_SuggestDetectLanguage(benchmark::State& state) {
  const auto& c = CpvConcepts::Builtin();
  (void)c.Suggest(kLong, "", 5);
  for (auto _ : state) benchmark::DoNotOptimize(c.Suggest(kLong, "", 5));
}
BENCHMARK(BM_SuggestDetectLanguage);

void BM_ConceptsNoticeLength(benchmark::State& state) {
  const auto& c = CpvConcepts::Builtin();
  (void)c.Concepts(kLong, "fr");
  for (auto _ : state) benchmark::DoNotOptimize(c.Concepts(kLong, "fr"));
}
BENCHMARK(BM_ConceptsNoticeLength);

// What a match adds to a query for text across languages
// (internal/query.cc, AddTranslations): the terms of the tender's concepts'
// labels in the 22 other languages, analysed for every query (before) or
// kept by CpvConcepts::LabelTerms (now; the lookups of the terms in the
// index are not counted).
//
// Counts the label terms of a French notice's concepts in every other
// language, `label_term_count(concepts, code, language)` giving the number
// of one label's terms.
template <typename LabelTermCount>
void TranslateConcepts(benchmark::State& state,
                       LabelTermCount label_term_count) {
  const auto& c = CpvConcepts::Builtin();
  const std::vector<Concept> concepts = *c.Concepts(kLong, "fr");
  for (auto _ : state) {
    size_t terms = 0;
    for (const char* l : kConceptLanguages) {
      const absl::string_view language = l;
      if (language == "fr" || language == "ga") continue;
      for (const Concept& k : concepts) {
        terms += label_term_count(c, k.code, language);
      }
    }
    benchmark::DoNotOptimize(terms);
  }
}

void BM_TranslateConceptsAnalysingLabels(benchmark::State& state) {
  TranslateConcepts(state, [](const CpvConcepts& c, CpvCode code,
                              absl::string_view language) {
    return AnalyzeText(c.Label(code, language), language)->size();
  });
}
BENCHMARK(BM_TranslateConceptsAnalysingLabels);

void BM_TranslateConceptsKeptLabelTerms(benchmark::State& state) {
  TranslateConcepts(state, [](const CpvConcepts& c, CpvCode code,
                              absl::string_view language) {
    return c.LabelTerms(code, language)->size();
  });
}
BENCHMARK(BM_TranslateConceptsKeptLabelTerms);

// The tender's words for its concepts in the explanations of a top 10: the
// text analysed again for each (before), or once for all (now).
void BM_ExplainTopTenAnalysingEachTime(benchmark::State& state) {
  const auto& c = CpvConcepts::Builtin();
  const std::vector<Concept> concepts = *c.Concepts(kLong, "fr");
  for (auto _ : state) {
    for (int i = 0; i < 10; ++i) {
      benchmark::DoNotOptimize(
          c.Evidence(kLong, "fr", concepts[i % concepts.size()].code));
    }
  }
}
BENCHMARK(BM_ExplainTopTenAnalysingEachTime);

void BM_ExplainTopTenAnalysingOnce(benchmark::State& state) {
  const auto& c = CpvConcepts::Builtin();
  const std::vector<Concept> concepts = *c.Concepts(kLong, "fr");
  for (auto _ : state) {
    const std::vector<AnalyzedWord> words = *AnalyzeWords(kLong, "fr");
    for (int i = 0; i < 10; ++i) {
      benchmark::DoNotOptimize(c.EvidenceOfAnalyzed(
          words, "fr", concepts[i % concepts.size()].code));
    }
  }
}
BENCHMARK(BM_ExplainTopTenAnalysingOnce);

// One language's links, from the labels and the notice links: the cost of
// the first use of a language.
void BM_ModelBuild(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    // A fresh instance over the builtin data each time.
    static const std::string labels = [] {
      std::string out = "code";
      for (const char* l : kConceptLanguages)
        out += std::string("\tlabel_") + l;
      out += "\n";
      const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
      const CpvConcepts& c = CpvConcepts::Builtin();
      for (int o = 0; o < cpv.size(); ++o) {
        out += cpv.WithCheckDigit(cpv.CodeAt(o));
        for (const char* l : kConceptLanguages) {
          out += "\t";
          out += std::string(c.Label(cpv.CodeAt(o), l));
        }
        out += "\n";
      }
      return out;
    }();
    auto fresh = CpvConcepts::Create(labels, "language\tterm\tnotices\tcodes\n",
                                     CpvTaxonomy::Builtin());
    state.ResumeTiming();
    benchmark::DoNotOptimize((*fresh)->Concepts("luchtvaartuigen", "nl"));
  }
}
BENCHMARK(BM_ModelBuild)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace procmatch

BENCHMARK_MAIN();
