// The concept layer's model, learnt and evaluated reproducibly
// (doc/cross_language.md). Run from the repository root:
//
//   bazel run -c opt //benchmarks:cpv_concept_model -- write
//     rewrites data/cpv/concept_notices.tsv (word-to-code links and the
//     classifier's word counts per group from the training notices),
//     data/cpv/concept_classes.tsv (the pooled concept classifier's counts),
//     data/cpv/concept_discriminative.tsv (the discriminative model: a
//     softmax regression over CPV groups trained on the training notices
//     and every label, TrainingOptions) and data/cpv/language_profiles.tsv
//     (character trigram profiles from the CPV labels and the training
//     notices); the same data give the same bytes;
//   bazel run -c opt //benchmarks:cpv_concept_model -- evaluate
//     SuggestCpv and DetectLanguage on the held-out notices (fold 0 of
//     tests/ted_split.h), with the model trained on folds 1-3, as bundled;
//   bazel run -c opt //benchmarks:cpv_concept_model -- concepts < FILE
//     each line `language<TAB>text` of FILE with its concepts (Concepts);
//   bazel run -c opt //benchmarks:cpv_concept_model -- tune [all]
//     three-fold cross-validation on folds 1-3 (each evaluated with links
//     learnt from the other two; fold 0 is never read) over the
//     classifier's link bonus and word specificity (`all`: also the links'
//     variants, title weight, label prior and smoothing): the figures the
//     defaults of ConceptWeights were chosen on; `tune pooled` the pooled
//     concept classifier's weight; `tune discriminative` and
//     `tune discriminative2` the discriminative model's training options
//     and weight (two rounds); `tune links` the pruning of each word's
//     label links (max_label_links, min_label_link_share): suggestions
//     as above, and how far the concepts of the notices of folds 1-3 stay
//     those of the unpruned model.
//
// A notice is read as the importer reads it; its text is its title,
// description and lots' titles and descriptions, its main code the
// tender's main CPV (else its first lot's). Notices whose text is TED's
// English title (no text in their own language) are skipped: that title is
// usually the main code's label.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "procmatch/cpv.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"
#include "procmatch/text_analyzer.h"
#include "tests/ted_split.h"

namespace procmatch {
namespace {

constexpr char kNotices[] = "data/ted/notices_dev.jsonl";
constexpr char kLabels[] = "data/cpv/cpv2008_labels.tsv";
constexpr char kNoticeLinksOut[] = "data/cpv/concept_notices.tsv";
constexpr char kProfilesOut[] = "data/cpv/language_profiles.tsv";
constexpr char kClassesOut[] = "data/cpv/concept_classes.tsv";
constexpr char kDiscriminativeOut[] = "data/cpv/concept_discriminative.tsv";

// A word seen in fewer training notices is an anecdote, not a link.
constexpr int kMinNotices = 2;
// Codes kept per word: the most frequent.
constexpr size_t kCodesPerTerm = 8;
// Trigrams kept per language profile: the most frequent.
constexpr size_t kTrigramsPerLanguage = 1000;

struct Notice {
  std::string id;
  int fold;
  std::string language;
  std::string text;
  std::string titles;  // The title and the lots' titles.
  CpvCode main;
  std::vector<std::pair<CpvCode, double>> codes;  // Main 1, others 0.5.
};

std::vector<Notice> ReadNotices() {
  absl::StatusOr<std::string> file = ReadFileOrStdin(kNotices);
  if (!file.ok()) {
    std::fprintf(stderr, "%s (run from the repository root)\n",
                 file.status().ToString().c_str());
    std::exit(1);
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::vector<Notice> out;
  for (absl::string_view line : absl::StrSplit(*file, '\n')) {
    if (line.empty()) continue;
    absl::StatusOr<ImportedNotice> n = ImportTedReducedJson(kNotices, line);
    if (!n.ok()) continue;
    bool english_title = false;
    for (const std::string& w : n->warnings) {
      english_title |= w.find("English title used") != std::string::npos;
    }
    const v1::Tender& t = n->tender;
    if (english_title || !CpvConcepts::IsConceptLanguage(t.language())) {
      continue;
    }
    Notice notice;
    notice.id = t.source_notice_id();
    notice.fold = testing::NoticeFold(notice.id);
    notice.language = t.language();
    notice.text = absl::StrCat(t.title(), "\n", t.description());
    notice.titles = t.title();
    auto add = [&](const std::string& text, double weight) {
      absl::StatusOr<CpvCode> code = cpv.Parse(text);
      if (!code.ok()) return;
      if (!notice.main.valid()) notice.main = *code;
      for (auto& [c, w] : notice.codes) {
        if (c == *code) {
          w = std::max(w, weight);
          return;
        }
      }
      notice.codes.emplace_back(*code, weight);
    };
    if (!t.main_cpv().empty()) add(t.main_cpv(), 1.0);
    for (const std::string& c : t.additional_cpv()) add(c, 0.5);
    for (const v1::Lot& lot : t.lots()) {
      absl::StrAppend(&notice.text, "\n", lot.title(), "\n", lot.description());
      absl::StrAppend(&notice.titles, "\n", lot.title());
      if (!lot.main_cpv().empty())
        add(lot.main_cpv(), notice.main.valid() ? 0.5 : 1.0);
      for (const std::string& c : lot.additional_cpv()) add(c, 0.5);
    }
    out.push_back(std::move(notice));
  }
  return out;
}

// The title weight the bundled file is written with
// (ConceptWeights::title_weight, chosen by `tune`).
constexpr double kTitleWeight = 4.0;

// A main code's group key (lib/cpv_concepts.h): its first three digits.
int GroupOf(CpvCode code) { return static_cast<int>(code.digits() / 100000); }

// `group:count` pairs, by group.
std::string GroupCounts(const std::map<int, double>& counts) {
  std::vector<std::string> pairs;
  for (const auto& [g, n] : counts) {
    pairs.push_back(absl::StrFormat("%03d:%g", g, n));
  }
  return absl::StrJoin(pairs, " ");
}

// The notice links of lib/cpv_concepts.h from the notices of `train` folds;
// a title's words count 1 + title_weight for the classifier.
std::string NoticeLinks(const std::vector<Notice>& notices,
                        const std::vector<int>& train,
                        double title_weight = kTitleWeight) {
  struct TermStats {
    int notices = 0;
    absl::flat_hash_map<uint32_t, double> codes;
    std::map<int, double> groups;
  };
  // language -> term -> stats; std::map for a stable file order.
  std::map<std::string, std::map<std::string, TermStats>> stats;
  std::map<std::string, int> per_language;
  std::map<std::string, std::map<int, double>> group_notices, group_mass;
  for (const Notice& n : notices) {
    if (std::find(train.begin(), train.end(), n.fold) == train.end()) continue;
    if (n.codes.empty()) continue;
    absl::StatusOr<std::vector<std::string>> terms =
        AnalyzeText(n.text, n.language);
    absl::StatusOr<std::vector<std::string>> titles =
        AnalyzeText(n.titles, n.language);
    if (!terms.ok() || !titles.ok()) continue;
    absl::flat_hash_set<std::string> distinct, in_title;
    for (const std::string& t : *terms) {
      distinct.insert(ConceptTerm(t, n.language));
    }
    for (const std::string& t : *titles) {
      in_title.insert(ConceptTerm(t, n.language));
    }
    ++per_language[n.language];
    const int group = GroupOf(n.main);
    group_notices[n.language][group] += 1;
    for (const std::string& t : distinct) {
      TermStats& s = stats[n.language][t];
      ++s.notices;
      for (const auto& [code, weight] : n.codes) {
        s.codes[code.digits()] += weight;
      }
      const double mass = 1 + (in_title.contains(t) ? title_weight : 0);
      s.groups[group] += mass;
      group_mass[n.language][group] += mass;
    }
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  std::string out = "language\tterm\tnotices\tcodes\tgroups\n";
  for (const auto& [language, count] : per_language) {
    absl::StrAppend(&out, language, "\t*\t", count, "\t",
                    GroupCounts(group_notices[language]), "\t",
                    GroupCounts(group_mass[language]), "\n");
  }
  for (const auto& [language, terms] : stats) {
    for (const auto& [term, s] : terms) {
      if (s.notices < kMinNotices) continue;
      std::vector<std::pair<double, uint32_t>> codes;
      for (const auto& [code, count] : s.codes) {
        codes.emplace_back(-count, code);
      }
      std::sort(codes.begin(), codes.end());
      if (codes.size() > kCodesPerTerm) codes.resize(kCodesPerTerm);
      std::vector<std::string> pairs;
      for (const auto& [neg, code] : codes) {
        pairs.push_back(absl::StrFormat(
            "%s:%g", cpv.WithCheckDigit(CpvCode::FromDigits(code)), -neg));
      }
      absl::StrAppend(&out, language, "\t", term, "\t", s.notices, "\t",
                      absl::StrJoin(pairs, " "), "\t", GroupCounts(s.groups),
                      "\n");
    }
  }
  return out;
}

// The pooled concept classifier's counts (lib/cpv_concepts.h) from the
// notices of `train` folds: each notice's label concepts, by group (the
// strongest concept's weight), counted for its main code's group, over all
// languages together. `model` gives the label concepts.
std::string ConceptClasses(const CpvConcepts& model,
                           const std::vector<Notice>& notices,
                           const std::vector<int>& train) {
  std::map<int, std::map<int, double>> counts;  // feature -> group -> count
  for (const Notice& n : notices) {
    if (std::find(train.begin(), train.end(), n.fold) == train.end()) continue;
    if (!n.main.valid()) continue;
    std::map<int, double> features;
    for (const Concept& c : model.LabelConcepts(n.text, n.language)) {
      double& w = features[GroupOf(c.code)];
      w = std::max(w, c.weight);
    }
    for (const auto& [f, w] : features) counts[f][GroupOf(n.main)] += w;
  }
  std::string out = "feature\tgroups\n";
  for (const auto& [f, groups] : counts) {
    absl::StrAppend(&out, absl::StrFormat("%03d", f), "\t", GroupCounts(groups),
                    "\n");
  }
  return out;
}

// The discriminative model's training (lib/cpv_concepts.h,
// ConceptWeights::discriminative): a multinomial logistic regression over
// CPV groups, trained by stochastic gradient descent on the softmax loss
// with L2, in a fixed order (a seeded Mersenne twister's shuffle), so that
// the same data give the same bytes.
// The defaults are what `write` trains the bundled model with, chosen by
// `tune discriminative` and `tune discriminative2` (doc/cross_language.md).
struct TrainingOptions {
  int epochs = 8;
  double learning_rate = 0.5;  // Divided by 1 + epoch.
  double l2 = 1e-4;            // Per update, on the rows the example has.
  // Each code's label, in each language, is an example of the code's group
  // of this weight (a notice weighs 1); 0 leaves the labels out.
  double label_examples = 0.03;
  // A notice is also an example of its other codes' groups, of this weight.
  double other_codes = 0;
  // Weights under this (in absolute value) are not written.
  double prune = 0.1;
};

struct Example {
  std::vector<std::pair<uint32_t, double>> features;
  int group;
  double weight;
};

// The training notices' examples: each of its main code's group, weight 1,
// and (when `other_codes` > 0) of its other codes' groups.
std::vector<Example> NoticeExamples(const CpvConcepts& model,
                                    const std::vector<Notice>& notices,
                                    const std::vector<int>& train,
                                    double other_codes) {
  std::vector<Example> out;
  for (const Notice& n : notices) {
    if (std::find(train.begin(), train.end(), n.fold) == train.end()) continue;
    if (!n.main.valid()) continue;
    std::vector<std::pair<uint32_t, double>> f =
        model.SuggestionFeatures(n.text, n.language);
    std::vector<int> groups = {GroupOf(n.main)};
    if (other_codes > 0) {
      for (const auto& [code, w] : n.codes) {
        const int g = GroupOf(code);
        if (std::find(groups.begin(), groups.end(), g) != groups.end())
          continue;
        groups.push_back(g);
        out.push_back({f, g, other_codes});
      }
    }
    out.push_back({std::move(f), groups[0], 1.0});
  }
  return out;
}

// Every code's label in every language but Irish (which repeats English),
// as an example of the code's group, weight 1 (scaled when training).
std::vector<Example> LabelExamples(const CpvConcepts& model) {
  std::vector<Example> out;
  const CpvTaxonomy& cpv = model.cpv();
  for (int o = 0; o < cpv.size(); ++o) {
    const CpvCode code = cpv.CodeAt(o);
    for (const char* l : kConceptLanguages) {
      if (std::string(l) == "ga") continue;
      const absl::string_view label = model.Label(code, l);
      if (label.empty()) continue;
      out.push_back({model.SuggestionFeatures(label, l), GroupOf(code), 1.0});
    }
  }
  return out;
}

// The model file of lib/cpv_concepts.h (`feature<TAB>group:weight ...`).
std::string TrainDiscriminative(const std::vector<Example>& notice_examples,
                                const std::vector<Example>& label_examples,
                                const TrainingOptions& o) {
  std::vector<const Example*> examples;
  std::vector<double> weights;
  for (const Example& e : notice_examples) {
    examples.push_back(&e);
    weights.push_back(e.weight);
  }
  if (o.label_examples > 0) {
    for (const Example& e : label_examples) {
      examples.push_back(&e);
      weights.push_back(e.weight * o.label_examples);
    }
  }
  // Classes in group order; feature rows in order of first appearance.
  std::map<int, int> class_index;
  for (const Example* e : examples) class_index.emplace(e->group, 0);
  std::vector<int> classes;
  for (auto& [g, i] : class_index) {
    i = static_cast<int>(classes.size());
    classes.push_back(g);
  }
  const size_t k = classes.size();
  absl::flat_hash_map<uint32_t, int> row_of;
  std::vector<uint32_t> row_feature;
  for (const Example* e : examples) {
    for (const auto& [f, x] : e->features) {
      if (row_of.try_emplace(f, static_cast<int>(row_feature.size())).second) {
        row_feature.push_back(f);
      }
    }
  }
  std::vector<float> w(row_feature.size() * k, 0.0f);
  std::vector<uint32_t> order(examples.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::mt19937 rng(20261130);
  std::vector<double> z(k);
  std::vector<int> rows;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) {  // Fisher-Yates.
      std::swap(order[i - 1], order[rng() % i]);
    }
    const double rate = o.learning_rate / (1 + epoch);
    for (uint32_t i : order) {
      const Example& e = *examples[i];
      rows.clear();
      for (const auto& [f, x] : e.features) rows.push_back(row_of[f]);
      std::fill(z.begin(), z.end(), 0.0);
      for (size_t j = 0; j < rows.size(); ++j) {
        const float* r = &w[rows[j] * k];
        const double x = e.features[j].second;
        for (size_t c = 0; c < k; ++c) z[c] += x * r[c];
      }
      const double top = *std::max_element(z.begin(), z.end());
      double sum = 0;
      for (double& v : z) sum += (v = std::exp(v - top));
      const int y = class_index[e.group];
      for (size_t c = 0; c < k; ++c) z[c] /= sum;  // Now p.
      z[y] -= 1;                                   // Now the gradient.
      const double step = rate * weights[i];
      const float decay = static_cast<float>(1 - rate * o.l2);
      for (size_t j = 0; j < rows.size(); ++j) {
        float* r = &w[rows[j] * k];
        const double x = e.features[j].second * step;
        for (size_t c = 0; c < k; ++c) {
          r[c] = r[c] * decay - static_cast<float>(x * z[c]);
        }
      }
    }
  }
  std::map<uint32_t, int> sorted(row_of.begin(), row_of.end());
  std::string out = "feature\tgroups\n";
  for (const auto& [f, row] : sorted) {
    std::vector<std::string> pairs;
    for (size_t c = 0; c < k; ++c) {
      const float v = w[row * k + c];
      if (std::fabs(v) < o.prune && f != CpvConcepts::BiasFeature()) continue;
      pairs.push_back(absl::StrFormat("%03d:%.4g", classes[c], v));
    }
    if (!pairs.empty()) {
      absl::StrAppend(&out, f, "\t", absl::StrJoin(pairs, " "), "\n");
    }
  }
  return out;
}

std::string LanguageProfiles(const std::string& labels,
                             const std::vector<Notice>& notices,
                             const std::vector<int>& train) {
  std::map<std::string, absl::flat_hash_map<std::string, int64_t>> counts;
  auto add = [&](const std::string& language, absl::string_view text) {
    auto& c = counts[language];
    for (std::string& t : CharacterTrigrams(text)) ++c[std::move(t)];
  };
  bool header = true;
  for (absl::string_view line : absl::StrSplit(labels, '\n')) {
    if (header || line.empty()) {
      header = false;
      continue;
    }
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    for (int l = 0; l < kConceptLanguageCount && l + 1 < (int)f.size(); ++l) {
      // Irish labels repeat the English ones: no profile rather than a
      // second English one.
      if (std::string(kConceptLanguages[l]) == "ga") continue;
      add(kConceptLanguages[l], f[l + 1]);
    }
  }
  for (const Notice& n : notices) {
    if (std::find(train.begin(), train.end(), n.fold) == train.end()) continue;
    add(n.language, n.text);
  }
  std::string out = "language\ttrigram\tcount\n";
  for (const auto& [language, c] : counts) {
    int64_t total = 0;
    std::vector<std::pair<int64_t, std::string>> top;
    for (const auto& [t, n] : c) {
      total += n;
      top.emplace_back(-n, t);
    }
    std::sort(top.begin(), top.end());
    if (top.size() > kTrigramsPerLanguage) top.resize(kTrigramsPerLanguage);
    absl::StrAppend(&out, language, "\t*\t", total, "\n");
    for (const auto& [neg, t] : top) {
      absl::StrAppend(&out, language, "\t", t, "\t", -neg, "\n");
    }
  }
  return out;
}

void Write(const char* path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", path);
    std::exit(1);
  }
  std::printf("wrote %s (%zu bytes)\n", path, text.size());
}

struct Figures {
  int notices = 0;
  int division_hits = 0;
  int group_hits = 0;
  std::vector<double> micros;
};

Figures Evaluate(const CpvConcepts& concepts,
                 const std::vector<Notice>& notices, int fold,
                 bool detect_language) {
  Figures f;
  for (const Notice& n : notices) {
    if (n.fold != fold || !n.main.valid()) continue;
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<std::vector<CpvSuggestion>> s =
        concepts.Suggest(n.text, detect_language ? "" : n.language, /*top=*/5);
    f.micros.push_back(std::chrono::duration<double, std::micro>(
                           std::chrono::steady_clock::now() - start)
                           .count());
    if (!s.ok()) continue;
    ++f.notices;
    if (!s->empty() && (*s)[0].code.Truncated(2) == n.main.Truncated(2)) {
      ++f.division_hits;
    }
    for (const CpvSuggestion& x : *s) {
      if (x.code.Truncated(3) == n.main.Truncated(3)) {
        ++f.group_hits;
        break;
      }
    }
  }
  return f;
}

void Report(const char* what, Figures f) {
  std::sort(f.micros.begin(), f.micros.end());
  const double median = f.micros.empty() ? 0 : f.micros[f.micros.size() / 2];
  const double p90 = f.micros.empty() ? 0 : f.micros[f.micros.size() * 9 / 10];
  std::printf(
      "%-34s notices %4d  division@1 %.3f  group@5 %.3f  median %.0f us  "
      "p90 %.0f us (with evidence)\n",
      what, f.notices, static_cast<double>(f.division_hits) / f.notices,
      static_cast<double>(f.group_hits) / f.notices, median, p90);
}

void LanguageAccuracy(const std::vector<Notice>& notices, int fold) {
  std::map<std::string, std::pair<int, int>> per;  // language -> (ok, all)
  int ok = 0, all = 0;
  for (const Notice& n : notices) {
    if (n.fold != fold) continue;
    const bool hit = DetectLanguage(n.text).language == n.language;
    auto& p = per[n.language];
    p.first += hit;
    ++p.second;
    ok += hit;
    ++all;
  }
  std::printf("language detection on fold %d: %d/%d = %.3f\n", fold, ok, all,
              static_cast<double>(ok) / all);
  for (const auto& [l, p] : per) {
    std::printf("  %s %d/%d\n", l.c_str(), p.first, p.second);
  }
}

// The classifier as the previous release shipped it (round 4): the
// baseline `tune` and `evaluate` report beside the current defaults.
ConceptWeights PreviousRelease() {
  ConceptWeights w;
  w.link_bonus = 0;
  w.word_specificity = 0;
  w.pooled_concepts = 0;
  return w;
}

// The model file without its weights under `threshold` (the bias's kept).
std::string Pruned(const std::string& model, double threshold) {
  std::string out;
  const std::string bias = absl::StrCat(CpvConcepts::BiasFeature(), "\t");
  for (absl::string_view line :
       absl::StrSplit(model, '\n', absl::SkipEmpty())) {
    if (out.empty() || absl::StartsWith(line, bias)) {  // Header, bias.
      absl::StrAppend(&out, line, "\n");
      continue;
    }
    std::pair<absl::string_view, absl::string_view> f =
        absl::StrSplit(line, '\t');
    std::vector<absl::string_view> pairs;
    for (absl::string_view pair : absl::StrSplit(f.second, ' ')) {
      double w = 0;
      if (absl::SimpleAtod(pair.substr(pair.find(':') + 1), &w) &&
          std::fabs(w) >= threshold) {
        pairs.push_back(pair);
      }
    }
    if (!pairs.empty()) {
      absl::StrAppend(&out, f.first, "\t", absl::StrJoin(pairs, " "), "\n");
    }
  }
  return out;
}

// Three-fold cross-validation on folds 1-3 of the discriminative model:
// training options × its weight beside the classifier (`tune
// discriminative`). Each fold's model, links and pooled counts are learnt
// from the other two folds.
void DiscriminativeGrid(const std::vector<Notice>& notices,
                        const std::string& labels, bool second_round) {
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  struct Variant {
    std::string name;
    TrainingOptions training;
    double concepts = 1;  // ConceptWeights::discriminative_concepts.
  };
  std::vector<Variant> variants;
  // The options the grids vary around (the first round's defaults).
  TrainingOptions first;
  first.label_examples = 0.01;
  first.prune = 0.01;
  if (second_round) {
    // Round 2, around the first round's best cells (labels 0.03, 16
    // epochs): together, more label weight, the concepts' scale.
    TrainingOptions t = first;
    t.label_examples = 0.03;
    t.epochs = 16;
    variants.push_back({"labels 0.03, 16 epochs", t});
    t.epochs = 8;
    t.label_examples = 0.1;
    variants.push_back({"labels 0.1", t});
    t.label_examples = 0.03;
    variants.push_back({"labels 0.03, concepts 0.5", t, 0.5});
    variants.push_back({"labels 0.03, concepts 2", t, 2});
  }
  for (double label_examples : {0.0, 0.003, 0.01, 0.03}) {
    if (second_round) break;
    TrainingOptions t = first;
    t.label_examples = label_examples;
    variants.push_back({absl::StrFormat("labels %g", label_examples), t});
  }
  for (double l2 : {1e-5, 1e-3}) {
    if (second_round) break;
    TrainingOptions t = first;
    t.l2 = l2;
    variants.push_back({absl::StrFormat("l2 %g", l2), t});
  }
  if (!second_round) {
    TrainingOptions t = first;
    t.other_codes = 0.3;
    variants.push_back({"other codes 0.3", t});
    t.other_codes = 0;
    t.epochs = 16;
    variants.push_back({"16 epochs", t});
  }
  // (weight, pruning of the written model: 0 as written).
  const std::vector<std::pair<double, double>> blend =
      second_round
          ? std::vector<std::pair<double, double>>{{0, 0}, {2, 0},    {3, 0},
                                                   {4, 0}, {3, 0.03}, {3, 0.1}}
          : std::vector<std::pair<double, double>>{{0, 0}, {0.5, 0}, {1, 0},
                                                   {2, 0}, {4, 0},   {100, 0}};
  std::vector<double> size(variants.size());  // Bytes, summed over folds.
  std::vector<std::vector<double>> kept(variants.size(),
                                        std::vector<double>(blend.size()));
  std::vector<std::vector<Figures>> all(variants.size(),
                                        std::vector<Figures>(blend.size()));
  for (int f : {1, 2, 3}) {
    std::vector<int> train;
    for (int t : {1, 2, 3}) {
      if (t != f) train.push_back(t);
    }
    const std::string links = NoticeLinks(notices, train);
    absl::StatusOr<std::unique_ptr<CpvConcepts>> base =
        CpvConcepts::Create(labels, links, cpv);
    if (!base.ok()) {
      std::fprintf(stderr, "%s\n", base.status().ToString().c_str());
      std::exit(1);
    }
    const std::string classes = ConceptClasses(**base, notices, train);
    // Examples by (concepts' scale, other codes' weight).
    std::map<std::pair<double, double>, std::vector<Example>> notice_examples;
    std::map<double, std::vector<Example>> label_examples;
    for (size_t v = 0; v < variants.size(); ++v) {
      const TrainingOptions& t = variants[v].training;
      ConceptWeights features;
      features.discriminative_concepts = variants[v].concepts;
      absl::StatusOr<std::unique_ptr<CpvConcepts>> featuring =
          CpvConcepts::Create(labels, links, cpv, features);
      std::vector<Example>& by_notices =
          notice_examples[{variants[v].concepts, t.other_codes}];
      if (by_notices.empty()) {
        by_notices = NoticeExamples(**featuring, notices, train, t.other_codes);
      }
      std::vector<Example>& by_labels = label_examples[variants[v].concepts];
      if (by_labels.empty()) by_labels = LabelExamples(**featuring);
      const auto train_start = std::chrono::steady_clock::now();
      const std::string model = TrainDiscriminative(by_notices, by_labels, t);
      size[v] += model.size();
      std::printf("  %s: %zu bytes, %.1f s\n", variants[v].name.c_str(),
                  model.size(),
                  std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - train_start)
                      .count());
      for (size_t b = 0; b < blend.size(); ++b) {
        if (b == 0 && v > 0) continue;  // Weight 0: the model unused.
        ConceptWeights w;
        w.discriminative = blend[b].first;
        w.discriminative_concepts = variants[v].concepts;
        absl::StatusOr<std::unique_ptr<CpvConcepts>> c = CpvConcepts::Create(
            labels, links, cpv, w, classes,
            blend[b].second > 0 ? Pruned(model, blend[b].second) : model);
        if (!c.ok()) {
          std::fprintf(stderr, "%s\n", c.status().ToString().c_str());
          std::exit(1);
        }
        if (blend[b].second > 0) {
          kept[v][b] += Pruned(model, blend[b].second).size();
        }
        Figures x = Evaluate(**c, notices, f, false);
        Figures& sum = all[v][b];
        sum.notices += x.notices;
        sum.division_hits += x.division_hits;
        sum.group_hits += x.group_hits;
        sum.micros.insert(sum.micros.end(), x.micros.begin(), x.micros.end());
      }
    }
    std::fflush(stdout);
  }
  for (size_t v = 0; v < variants.size(); ++v) {
    for (size_t b = 0; b < blend.size(); ++b) {
      if (b == 0 && v > 0) continue;
      Report(absl::StrFormat(
                 "%s, weight %g%s", variants[v].name, blend[b].first,
                 blend[b].second > 0
                     ? absl::StrFormat(", pruned %g (%.0f%%)", blend[b].second,
                                       100.0 * kept[v][b] / size[v])
                     : "")
                 .c_str(),
             all[v][b]);
    }
  }
}

// How far `pruned`'s concepts of the notices of `folds` stay
// `reference`'s (both with the same notice links): the share whose
// strongest concept is the same, the mean share of the reference's
// concepts kept (at any rank), and the label links summed per notice.
void ReportAgreement(const char* what, const CpvConcepts& reference,
                     const CpvConcepts& pruned,
                     const std::vector<Notice>& notices,
                     const std::vector<int>& folds) {
  int texts = 0, same_first = 0;
  double kept = 0;
  for (const Notice& n : notices) {
    if (std::find(folds.begin(), folds.end(), n.fold) == folds.end()) continue;
    absl::StatusOr<std::vector<Concept>> a =
        reference.Concepts(n.text, n.language);
    absl::StatusOr<std::vector<Concept>> b =
        pruned.Concepts(n.text, n.language);
    if (!a.ok() || !b.ok() || a->empty()) continue;
    ++texts;
    same_first += !b->empty() && (*b)[0].code == (*a)[0].code;
    int common = 0;
    for (const Concept& x : *a) {
      for (const Concept& y : *b) common += x.code == y.code;
    }
    kept += static_cast<double>(common) / a->size();
  }
  std::printf("%-34s texts %4d  same strongest %.3f  concepts kept %.3f\n",
              what, texts, static_cast<double>(same_first) / texts,
              kept / texts);
}

// `tune` first reports the round-5 grid (the links joining the classifier,
// word specificity); `tune all` adds round 4's grid of title weight, label
// prior and smoothing.
int Run(const std::string& mode, const std::string& option) {
  const std::vector<Notice> notices = ReadNotices();
  absl::StatusOr<std::string> labels = ReadFileOrStdin(kLabels);
  if (!labels.ok()) {
    std::fprintf(stderr, "%s\n", labels.status().ToString().c_str());
    return 1;
  }
  if (mode == "write") {
    const std::string links = NoticeLinks(notices, {1, 2, 3});
    Write(kNoticeLinksOut, links);
    absl::StatusOr<std::unique_ptr<CpvConcepts>> model =
        CpvConcepts::Create(*labels, links, CpvTaxonomy::Builtin());
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
      return 1;
    }
    Write(kClassesOut, ConceptClasses(**model, notices, {1, 2, 3}));
    const TrainingOptions training;
    Write(kDiscriminativeOut,
          TrainDiscriminative(
              NoticeExamples(**model, notices, {1, 2, 3}, training.other_codes),
              LabelExamples(**model), training));
    Write(kProfilesOut, LanguageProfiles(*labels, notices, {1, 2, 3}));
    return 0;
  }
  if (mode == "concepts") {
    // Each line of standard input, `language<TAB>text`: its concepts.
    std::string line;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, stdin) != nullptr) {
      line = buf;
      if (!line.empty() && line.back() == '\n') line.pop_back();
      std::vector<std::string> f =
          absl::StrSplit(line, absl::MaxSplits('\t', 1));
      if (f.size() != 2) continue;
      absl::StatusOr<std::vector<Concept>> c =
          CpvConcepts::Builtin().Concepts(f[1], f[0]);
      std::printf("%s\n", line.c_str());
      if (!c.ok()) continue;
      for (const Concept& x : *c) {
        std::printf(
            "  %s %.3f %s\n", x.code.ToString().c_str(), x.weight,
            std::string(CpvConcepts::Builtin().cpv().Label(x.code)).c_str());
      }
    }
    return 0;
  }
  if (mode != "evaluate" && mode != "tune") {
    std::fprintf(stderr, "usage: cpv_concept_model write|evaluate|tune\n");
    return 2;
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  if (mode == "tune") {
    // Inner cross-validation on folds 1-3: each is evaluated with links
    // learnt from the other two; fold 0 is never read.
    std::map<std::pair<int, double>, std::string> links;  // (fold, title w)
    // (fold, title weight, label links pruned as)
    std::map<std::tuple<int, double, int, double>, std::string> classes;
    auto mean = [&](const ConceptWeights& w) {
      Figures all;
      for (int f : {1, 2, 3}) {
        std::vector<int> train;
        for (int t : {1, 2, 3}) {
          if (t != f) train.push_back(t);
        }
        std::string& l = links[{f, w.title_weight}];
        if (l.empty()) l = NoticeLinks(notices, train, w.title_weight);
        std::string& k = classes[{f, w.title_weight, w.max_label_links,
                                  w.min_label_link_share}];
        if (k.empty() && w.pooled_concepts > 0) {
          absl::StatusOr<std::unique_ptr<CpvConcepts>> base =
              CpvConcepts::Create(*labels, l, cpv, w);
          if (base.ok()) k = ConceptClasses(**base, notices, train);
        }
        absl::StatusOr<std::unique_ptr<CpvConcepts>> c =
            CpvConcepts::Create(*labels, l, cpv, w, k);
        if (!c.ok()) {
          std::fprintf(stderr, "%s\n", c.status().ToString().c_str());
          std::exit(1);
        }
        Figures x = Evaluate(**c, notices, f, false);
        all.notices += x.notices;
        all.division_hits += x.division_hits;
        all.group_hits += x.group_hits;
        all.micros.insert(all.micros.end(), x.micros.begin(), x.micros.end());
      }
      return all;
    };
    std::printf("tune: folds 1-3, each trained on the other two\n");
    if (option == "discriminative" || option == "discriminative2") {
      DiscriminativeGrid(notices, *labels, option == "discriminative2");
      return 0;
    }
    if (option == "links") {
      // The notice links of folds 1-3, as bundled, for the agreement.
      const std::string links = NoticeLinks(notices, {1, 2, 3});
      ConceptWeights unpruned;
      unpruned.max_label_links = 64;
      unpruned.min_label_link_share = 0;
      absl::StatusOr<std::unique_ptr<CpvConcepts>> reference =
          CpvConcepts::Create(*labels, links, cpv, unpruned);
      for (int max_links : {64, 32, 16, 8}) {
        for (double share : {0.0, 0.1, 0.2, 0.3, 0.5}) {
          ConceptWeights w;
          w.max_label_links = max_links;
          w.min_label_link_share = share;
          const std::string what =
              absl::StrFormat("label links %d, share %g", max_links, share);
          Report(what.c_str(), mean(w));
          absl::StatusOr<std::unique_ptr<CpvConcepts>> pruned =
              CpvConcepts::Create(*labels, links, cpv, w);
          if (reference.ok() && pruned.ok()) {
            ReportAgreement(what.c_str(), **reference, **pruned, notices,
                            {1, 2, 3});
          }
        }
      }
      return 0;
    }
    if (option == "pooled") {
      for (double pooled : {0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0}) {
        ConceptWeights w;
        w.pooled_concepts = pooled;
        Report(absl::StrFormat("pooled concepts %g", pooled).c_str(), mean(w));
      }
      return 0;
    }
    Report("classifier, previous release", mean(PreviousRelease()));
    for (double bonus : {0.0, 1.0, 2.0, 4.0, 8.0}) {
      for (double specificity : {0.0, 0.5, 1.0, 2.0, 3.0}) {
        ConceptWeights w;
        w.link_bonus = bonus;
        w.word_specificity = specificity;
        Report(absl::StrFormat("link bonus %g, word specificity %g", bonus,
                               specificity)
                   .c_str(),
               mean(w));
      }
    }
    if (option != "all") return 0;
    for (bool by_sum : {false, true}) {
      ConceptWeights w;
      w.classifier = false;
      w.family_by_sum = by_sum;
      Report(by_sum ? "links, family_by_sum" : "links, family by max", mean(w));
    }
    for (double tw : {0.0, 2.0, 4.0}) {
      for (double prior : {0.5, 1.0, 2.0}) {
        for (double smoothing : {0.2, 0.5, 1.0}) {
          ConceptWeights w = PreviousRelease();
          w.title_weight = tw;
          w.label_prior = prior;
          w.smoothing = smoothing;
          Report(absl::StrFormat("classifier t%g l%g s%g", tw, prior, smoothing)
                     .c_str(),
                 mean(w));
        }
      }
    }
    return 0;
  }
  const int fold = 0;
  const std::vector<int> train = {1, 2, 3};
  const std::string links = NoticeLinks(notices, train);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> labels_only =
      CpvConcepts::Create(*labels, "language\tterm\tnotices\tcodes\n", cpv);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> base =
      CpvConcepts::Create(*labels, links, cpv);
  if (!base.ok()) {
    std::fprintf(stderr, "model: %s\n", base.status().ToString().c_str());
    return 1;
  }
  const std::string classes = ConceptClasses(**base, notices, train);
  const TrainingOptions training;
  const std::string discriminative = TrainDiscriminative(
      NoticeExamples(**base, notices, train, training.other_codes),
      LabelExamples(**base), training);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> full = CpvConcepts::Create(
      *labels, links, cpv, ConceptWeights(), classes, discriminative);
  ConceptWeights round6, alone;
  round6.discriminative = 0;
  alone.discriminative = 100;  // The classifier's scores only break ties.
  absl::StatusOr<std::unique_ptr<CpvConcepts>> pooled =
      CpvConcepts::Create(*labels, links, cpv, round6, classes);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> discriminative_alone =
      CpvConcepts::Create(*labels, links, cpv, alone, classes, discriminative);
  ConceptWeights round5;
  round5.pooled_concepts = 0;
  absl::StatusOr<std::unique_ptr<CpvConcepts>> unpooled =
      CpvConcepts::Create(*labels, links, cpv, round5);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> previous =
      CpvConcepts::Create(*labels, links, cpv, PreviousRelease());
  ConceptWeights by_max, by_sum;
  by_max.classifier = by_sum.classifier = false;
  by_sum.family_by_sum = true;
  absl::StatusOr<std::unique_ptr<CpvConcepts>> links_max =
      CpvConcepts::Create(*labels, links, cpv, by_max);
  absl::StatusOr<std::unique_ptr<CpvConcepts>> links_sum =
      CpvConcepts::Create(*labels, links, cpv, by_sum);
  if (!labels_only.ok() || !full.ok() || !previous.ok() || !links_max.ok() ||
      !links_sum.ok() || !unpooled.ok() || !pooled.ok() ||
      !discriminative_alone.ok()) {
    std::fprintf(stderr, "model: %s %s\n",
                 labels_only.status().ToString().c_str(),
                 full.status().ToString().c_str());
    return 1;
  }
  std::printf("evaluate: held-out fold 0, trained on folds 1-3\n");
  Report("links (max), language given",
         Evaluate(**links_max, notices, fold, false));
  Report("links (family_by_sum), lang given",
         Evaluate(**links_sum, notices, fold, false));
  Report("classifier, labels only, lang given",
         Evaluate(**labels_only, notices, fold, false));
  Report("classifier, previous release",
         Evaluate(**previous, notices, fold, false));
  Report("classifier, round 5 (not pooled)",
         Evaluate(**unpooled, notices, fold, false));
  Report("classifier, round 6 (pooled)",
         Evaluate(**pooled, notices, fold, false));
  Report("discriminative model (nearly) alone",
         Evaluate(**discriminative_alone, notices, fold, false));
  Report("classifier, language given", Evaluate(**full, notices, fold, false));
  Report("classifier, language detected",
         Evaluate(**full, notices, fold, true));
  LanguageAccuracy(notices, fold);
  return 0;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) {
  // `bazel run` starts in the runfiles; the files are the workspace's.
  if (const char* root = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    if (chdir(root) != 0) return 1;
  }
  return procmatch::Run(argc > 1 ? argv[1] : "evaluate",
                        argc > 2 ? argv[2] : "");
}
