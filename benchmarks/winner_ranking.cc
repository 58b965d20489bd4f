// Winner-ranking quality benchmark on real TED awards: who actually won?
//
// Supplier profiles are built from the award history of training notices
// (lib/track_record.h); for every award of a held-out notice, each method
// ranks suppliers for that notice (or lot), and the hit is the real winner.
// Only awards whose winner also won in training can be hit; the others are
// counted and left out. Two splits: by time (train on the earliest 80% of
// notices, test on the latest 20%) and 5-fold cross-validation by a hash of
// the notice id. Writes Markdown tables to stdout.
//
//   bazel run -c opt //benchmarks:winner_ranking --
//   --data=$PWD/data/ted/notices_dev.jsonl (tools/bench_quality.sh does this)
//
// Options: --data=FILE (default data/ted/notices_dev.jsonl), --tune (also
// grid-search the component weights on the cross-validation folds), --learn
// (learn the weights by coordinate ascent and by pairwise logistic
// regression, each in nested cross-validation: weights per fold and
// held-out MRR@10; the defaults come from the pairwise fit, doc/scoring.md),
// --max_test_notices=N (smoke runs), --misses (only: print each
// cross-validation query whose winner is not first, with the component
// values of the winner and of those ranked above it), --winners (only:
// print every winner as fold, supplier id and name, tab-separated, for
// studying name resolution).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "benchmarks/xapian_baseline.h"
#include "procmatch/dates.h"
#include "procmatch/matcher.h"
#include "procmatch/record_io.h"
#include "procmatch/ted_importer.h"
#include "procmatch/track_record.h"

namespace procmatch {
namespace {

constexpr int kK = 10;

struct Query {
  v1::MatchRequest request;
  std::set<std::string> winners;  // Supplier ids known in training.
  int notice = 0;  // The notice asked about: the unit bootstrap resamples.
};

// Bootstrap of differences: resamples of the test notices, fixed seed.
constexpr int kResamples = 2000;
constexpr uint64_t kBootstrapSeed = 20261129;

struct Metrics {
  int queries = 0;
  int hit1 = 0, hit5 = 0, hit10 = 0;
  double reciprocal = 0;
  std::set<std::string> recommended;
  // Per query, in query order: its reciprocal rank (0 beyond 10) and notice.
  std::vector<double> rr;
  std::vector<int> notice;

  void Add(const std::vector<std::string>& ranked,
           const std::set<std::string>& winners, int notice_index) {
    ++queries;
    rr.push_back(0);
    notice.push_back(notice_index);
    for (size_t i = 0; i < ranked.size() && i < kK; ++i) {
      recommended.insert(ranked[i]);
    }
    for (size_t i = 0; i < ranked.size() && i < kK; ++i) {
      if (!winners.count(ranked[i])) continue;
      hit1 += i < 1;
      hit5 += i < 5;
      hit10 += 1;
      reciprocal += 1.0 / (i + 1);
      rr.back() = 1.0 / (i + 1);
      return;
    }
  }
  void Merge(const Metrics& o) {
    queries += o.queries;
    hit1 += o.hit1;
    hit5 += o.hit5;
    hit10 += o.hit10;
    reciprocal += o.reciprocal;
    rr.insert(rr.end(), o.rr.begin(), o.rr.end());
    notice.insert(notice.end(), o.notice.begin(), o.notice.end());
  }
  double Mrr() const { return queries ? reciprocal / queries : 0; }
};

// The MRR@10 difference a - b over the same queries, and its 95% percentile
// bootstrap interval: notices are drawn with replacement (all the queries of
// a drawn notice come with it), kResamples times, with a fixed seed.
struct Difference {
  double mrr = 0, low = 0, high = 0;
};

Difference BootstrapDifference(const Metrics& a, const Metrics& b) {
  std::map<int, std::pair<double, int>> by_notice;  // Sum of a-b, queries.
  for (size_t i = 0; i < a.rr.size() && i < b.rr.size(); ++i) {
    auto& [sum, n] = by_notice[a.notice[i]];
    sum += a.rr[i] - b.rr[i];
    ++n;
  }
  std::vector<std::pair<double, int>> notices;
  double sum = 0;
  int n = 0;
  for (const auto& [id, s] : by_notice) {
    notices.push_back(s);
    sum += s.first;
    n += s.second;
  }
  Difference d;
  if (notices.empty()) return d;
  d.mrr = sum / n;
  std::mt19937_64 rng(kBootstrapSeed);
  std::uniform_int_distribution<size_t> pick(0, notices.size() - 1);
  std::vector<double> stats;
  for (int r = 0; r < kResamples; ++r) {
    double s = 0;
    int q = 0;
    for (size_t i = 0; i < notices.size(); ++i) {
      const auto& [ds, dn] = notices[pick(rng)];
      s += ds;
      q += dn;
    }
    stats.push_back(q > 0 ? s / q : 0);
  }
  std::sort(stats.begin(), stats.end());
  d.low = stats[static_cast<size_t>(0.025 * kResamples)];
  d.high = stats[static_cast<size_t>(0.975 * kResamples) - 1];
  return d;
}

// Weights with only the component of ScoreWeights field `kind` (= its
// ScoreComponentKind), or every component but it. Generic over the fields:
// a component added to the table and to ScoreWeights joins the tables.
v1::ScoreWeights Only(int kind) {
  v1::ScoreWeights w;
  const auto* d = v1::ScoreWeights::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    w.GetReflection()->SetDouble(&w, d->field(i),
                                 d->field(i)->number() == kind ? 1 : 0);
  }
  return w;
}

v1::ScoreWeights Without(int kind) {
  v1::ScoreWeights w;
  w.GetReflection()->SetDouble(
      &w, v1::ScoreWeights::descriptor()->FindFieldByNumber(kind), 0);
  return w;
}

// A candidate of a query for learning weights: its component values by
// ScoreWeights field index.
struct Candidate {
  std::string id;
  bool winner = false;
  std::vector<double> value;
};

struct QueryFeatures {
  std::set<std::string> winners;
  int notice = 0;
  std::set<std::string> seen;
  std::vector<Candidate> candidates;
};

constexpr int kPool = 100;

// A ranking method: the ids of the top 10 for each query.
using Method = std::function<std::vector<std::vector<std::string>>(
    const std::vector<Query>&)>;

struct Split {
  std::vector<const v1::Tender*> train, test;
  const v1::Tender* first = nullptr;  // Of all notices: t - first numbers t.
};

// The evaluation of one split: builds the training corpus, the queries, and
// runs every method.
class Evaluation {
 public:
  // One query per award (its lot when it names one) or, with `per_notice`,
  // one per notice (the tender as a whole; its winners are every award's).
  Evaluation(const Split& split, bool per_notice) {
    TrackRecordBuilder records;
    for (const v1::Tender* t : split.train) records.AddAwards(*t);
    profiles_ = records.Build();
    SupplierIndex::Builder builder;
    std::map<std::string, int> contracts;
    for (const auto& p : profiles_) {
      (void)builder.Add(p);
      contracts[p.id()] = p.past_contracts_size();
      xapian_.Add(p);
    }
    index_ = *std::move(builder).Build();
    xapian_.Commit();
    // The popularity baseline: most contracts won first.
    std::vector<std::pair<int, std::string>> by_count;
    for (const auto& [id, n] : contracts) by_count.emplace_back(-n, id);
    std::sort(by_count.begin(), by_count.end());
    for (size_t i = 0; i < by_count.size() && i < kK; ++i) {
      popular_.push_back(by_count[i].second);
    }
    for (const v1::Tender* t : split.test) {
      std::vector<std::vector<const v1::ContractAward*>> groups;
      for (const v1::ContractAward& a : t->awards()) {
        if (per_notice && !groups.empty()) {
          groups.back().push_back(&a);
        } else {
          groups.push_back({&a});
        }
      }
      for (const auto& group : groups) {
        Query q;
        q.notice = static_cast<int>(t - split.first);
        for (const v1::ContractAward* a : group) {
          for (const v1::Awardee& w : a->winners()) {
            const std::string id = records.SupplierIdOf(w);
            if (!id.empty() && index_->FindDoc(id) >= 0) q.winners.insert(id);
          }
        }
        if (q.winners.empty()) {
          ++unanswerable_;
          continue;
        }
        v1::Tender tender = *t;
        tender.clear_awards();  // The answer is not part of the question.
        *q.request.mutable_tender() = tender;
        for (const v1::Lot& l : tender.lots()) {
          if (!per_notice && l.id() == group[0]->lot_id()) {
            q.request.set_lot_id(l.id());
          }
        }
        q.request.mutable_options()->set_top_k(kK);
        if (tender.has_published()) {
          *q.request.mutable_options()->mutable_as_of() =
              ToDate(UtcDay(tender.published()));
        }
        queries_.push_back(std::move(q));
      }
    }
  }

  Metrics Run(const Method& method) const {
    Metrics m;
    const auto ranked = method(queries_);
    for (size_t i = 0; i < queries_.size(); ++i) {
      m.Add(ranked[i], queries_[i].winners, queries_[i].notice);
    }
    return m;
  }

  Method Procmatch(const v1::ScoreWeights& weights) const {
    return [this, weights](const std::vector<Query>& queries) {
      std::vector<v1::MatchRequest> requests;
      for (const Query& q : queries) {
        requests.push_back(q.request);
        *requests.back().mutable_options()->mutable_weights() = weights;
      }
      std::vector<std::vector<std::string>> out;
      for (const auto& r : Matcher(index_).MatchBatch(requests)) {
        std::vector<std::string> ids;
        if (r.ok()) {
          for (const auto& m : r->matches()) ids.push_back(m.supplier_id());
        }
        out.push_back(std::move(ids));
      }
      return out;
    };
  }

  // For learning weights: each query's pool of candidates (the top kPool
  // with every component at weight 1, and the top kPool of each component
  // alone) with the value of every component, by ScoreWeights field index.
  std::vector<QueryFeatures> Features() const {
    std::vector<QueryFeatures> out(queries_.size());
    const auto* d = v1::ScoreWeights::descriptor();
    std::vector<v1::ScoreWeights> pools = {Only(-1)};
    for (int i = 0; i < d->field_count(); ++i) {
      pools.push_back(Only(d->field(i)->number()));
    }
    for (v1::ScoreWeights& w : pools) {
      const bool all = &w == &pools[0];
      std::vector<v1::MatchRequest> requests;
      for (const Query& q : queries_) {
        requests.push_back(q.request);
        v1::MatchOptions* o = requests.back().mutable_options();
        o->set_top_k(kPool);
        // Every component weighted, so that every value is computed; the
        // pool is ranked by `w` (a tiny weight for the others).
        *o->mutable_weights() = w;
        for (int f = 0; f < d->field_count(); ++f) {
          const double v = w.GetReflection()->GetDouble(w, d->field(f));
          o->mutable_weights()->GetReflection()->SetDouble(
              o->mutable_weights(), d->field(f), all ? 1 : (v > 0 ? 1 : 1e-9));
        }
      }
      const auto responses = Matcher(index_).MatchBatch(requests);
      for (size_t i = 0; i < queries_.size(); ++i) {
        out[i].winners = queries_[i].winners;
        out[i].notice = queries_[i].notice;
        if (!responses[i].ok()) continue;
        for (const auto& m : responses[i]->matches()) {
          if (out[i].seen.count(m.supplier_id())) continue;
          out[i].seen.insert(m.supplier_id());
          Candidate c;
          c.winner = queries_[i].winners.count(m.supplier_id()) > 0;
          c.id = m.supplier_id();
          c.value.assign(d->field_count(), 0.0);
          for (const auto& component : m.components()) {
            const auto* field = d->FindFieldByNumber(component.kind());
            if (field != nullptr) c.value[field->index()] = component.value();
          }
          out[i].candidates.push_back(std::move(c));
        }
      }
    }
    return out;
  }

  Method Popular() const {
    return [this](const std::vector<Query>& queries) {
      return std::vector<std::vector<std::string>>(queries.size(), popular_);
    };
  }

  Method Xapian(bool with_cpv) const {
    return [this, with_cpv](const std::vector<Query>& queries) {
      std::vector<std::vector<std::string>> out;
      for (const Query& q : queries) {
        out.push_back(
            xapian_.Top(q.request.tender(), q.request.lot_id(), kK, with_cpv));
      }
      return out;
    };
  }

  // For studying the misses: each query whose winner is not first, the
  // winner's rank (Matcher::Explain) and component values, and those of
  // the suppliers above it (up to 5).
  void PrintMisses(std::ostream& out) const {
    const auto* d = v1::ScoreWeights::descriptor();
    auto values = [d](const v1::SupplierMatch& m) {
      std::string s = absl::StrFormat("%.3f:", m.score());
      for (int i = 0; i < d->field_count(); ++i) {
        double v = 0;
        for (const auto& c : m.components()) {
          if (c.kind() == d->field(i)->number()) v = c.value();
        }
        absl::StrAppend(&s, absl::StrFormat(" %.2f", v));
      }
      return s;
    };
    Matcher matcher(index_);
    for (const Query& q : queries_) {
      auto top = matcher.Match(q.request);
      if (!top.ok()) continue;
      int best = 0;
      v1::SupplierMatch winner;
      for (const std::string& w : q.winners) {
        auto e = matcher.Explain(q.request, w);
        if (!e.ok() || e->matches_size() == 0) continue;
        if (best == 0 || e->matches(0).rank() < best) {
          best = e->matches(0).rank();
          winner = e->matches(0);
        }
      }
      if (best == 1) continue;
      const v1::Tender& t = q.request.tender();
      // The title's start, cut on a character boundary.
      size_t cut = std::min<size_t>(70, t.title().size());
      while (cut > 0 && cut < t.title().size() &&
             (static_cast<unsigned char>(t.title()[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      out << "- " << t.source_notice_id() << " lot " << q.request.lot_id()
          << " [" << t.buyer().name() << ", " << t.buyer().country() << "] "
          << t.title().substr(0, cut) << "\n  winner " << *q.winners.begin()
          << " rank " << best << " " << values(winner) << "\n";
      for (const auto& m : winner.components()) {
        if (!m.detail().empty()) out << "      " << m.detail() << "\n";
      }
      for (int i = 0; i < top->matches_size() && i < 5 && i + 1 < best; ++i) {
        out << "  " << i + 1 << ". " << top->matches(i).supplier_id() << " "
            << values(top->matches(i)) << "\n";
      }
      if (best == 0) {
        for (int i = 0; i < top->matches_size() && i < 3; ++i) {
          out << "  " << i + 1 << ". " << top->matches(i).supplier_id() << " "
              << values(top->matches(i)) << "\n";
        }
      }
    }
  }

  int suppliers() const { return index_->size(); }
  int queries() const { return static_cast<int>(queries_.size()); }
  int unanswerable() const { return unanswerable_; }

 private:
  std::vector<v1::SupplierProfile> profiles_;
  std::shared_ptr<const SupplierIndex> index_;
  XapianBaseline xapian_;
  std::vector<std::string> popular_;
  std::vector<Query> queries_;
  int unanswerable_ = 0;
};

uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

struct Row {
  std::string name;
  Method (*make)(const Evaluation&);
};

std::string Line(const std::string& name, const Metrics& m, int suppliers) {
  const double n = std::max(1, m.queries);
  return absl::StrFormat("| %s | %.3f | %.3f | %.3f | %.3f | %.1f%% |\n", name,
                         m.hit1 / n, m.hit5 / n, m.hit10 / n, m.Mrr(),
                         100.0 * m.recommended.size() / std::max(1, suppliers));
}

// Runs every method on `splits` (metrics summed over them) and prints a
// table, then the bootstrap intervals of the full method's lead.
void Report(const std::string& title, const std::vector<Split>& splits,
            bool per_notice, const v1::ScoreWeights& weights,
            std::ostream& out) {
  std::vector<std::unique_ptr<Evaluation>> evals;
  int queries = 0, unanswerable = 0, suppliers = 0;
  for (const Split& s : splits) {
    evals.push_back(std::make_unique<Evaluation>(s, per_notice));
    queries += evals.back()->queries();
    unanswerable += evals.back()->unanswerable();
    suppliers += evals.back()->suppliers();
  }
  suppliers /= std::max<size_t>(1, splits.size());
  const char* unit = per_notice ? "notices" : "awards (per lot)";
  out << "### " << title << ", " << (per_notice ? "per notice" : "per lot")
      << "\n\n"
      << queries << " test " << unit << " with a winner who won in training ("
      << unanswerable << " more without, left out); " << suppliers
      << " suppliers in training"
      << (splits.size() > 1 ? " (mean over folds)" : "") << ".\n\n"
      << "| method | HR@1 | HR@5 | HR@10 | MRR@10 | suppliers recommended |\n"
      << "| --- | --- | --- | --- | --- | --- |\n";
  using Make = std::function<Method(const Evaluation&)>;
  std::vector<std::pair<std::string, Make>> methods = {
      {"most frequent winners",
       [](const Evaluation& e) { return e.Popular(); }},
      {"Xapian BM25, text",
       [](const Evaluation& e) { return e.Xapian(false); }},
      {"Xapian BM25, text + CPV terms",
       [](const Evaluation& e) { return e.Xapian(true); }},
      {"procmatch, CPV relevance only",
       [](const Evaluation& e) { return e.Procmatch(Only(1)); }},
      {"procmatch, text (BM25) only",
       [](const Evaluation& e) { return e.Procmatch(Only(2)); }},
      {"procmatch, track record only",
       [](const Evaluation& e) { return e.Procmatch(Only(3)); }},
      {"procmatch, concepts only",
       [](const Evaluation& e) { return e.Procmatch(Only(8)); }},
      {"**procmatch, full**",
       [weights](const Evaluation& e) { return e.Procmatch(weights); }},
  };
  const auto* d = v1::ScoreWeights::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const int kind = d->field(i)->number();
    methods.emplace_back(
        absl::StrCat("procmatch without ", d->field(i)->name()),
        [kind](const Evaluation& e) { return e.Procmatch(Without(kind)); });
  }
  std::map<std::string, Metrics> totals;
  for (const auto& [name, make] : methods) {
    Metrics total;
    std::set<std::string> recommended;
    for (const auto& e : evals) {
      Metrics m = e->Run(make(*e));
      total.Merge(m);
      recommended.insert(m.recommended.begin(), m.recommended.end());
    }
    total.recommended = std::move(recommended);
    out << Line(name, total, suppliers * static_cast<int>(splits.size()));
    totals[name] = std::move(total);
  }
  out << "\nLead of procmatch (full) in MRR@10, with its 95% bootstrap "
         "interval ("
      << kResamples << " resamples of the test notices, seed " << kBootstrapSeed
      << "):\n\n"
      << "| against | MRR@10 difference | 95% interval |\n"
      << "| --- | --- | --- |\n";
  for (const char* baseline :
       {"Xapian BM25, text", "Xapian BM25, text + CPV terms",
        "procmatch, CPV relevance only", "procmatch, text (BM25) only"}) {
    const Difference diff =
        BootstrapDifference(totals["**procmatch, full**"], totals[baseline]);
    out << absl::StrFormat("| %s | %+.3f | [%+.3f, %+.3f] |\n", baseline,
                           diff.mrr, diff.low, diff.high);
  }
  out << "\n";
}

// Grid search of the three main weights on the folds; prints the best.
void Tune(const std::vector<Split>& folds, std::ostream& out) {
  std::vector<std::unique_ptr<Evaluation>> evals;
  for (const Split& s : folds) {
    evals.push_back(std::make_unique<Evaluation>(s, /*per_notice=*/false));
  }
  struct Result {
    double mrr;
    double cpv, text, track, proximity;
  };
  std::vector<Result> results;
  for (double cpv : {0.15, 0.25, 0.35, 0.5}) {
    for (double text : {0.05, 0.1, 0.2, 0.3}) {
      for (double track : {0.05, 0.1, 0.2, 0.35}) {
        for (double proximity : {0.05, 0.1, 0.2}) {
          v1::ScoreWeights w;
          w.set_cpv(cpv);
          w.set_text(text);
          w.set_track_record(track);
          w.set_proximity(proximity);
          Metrics total;
          for (const auto& e : evals) total.Merge(e->Run(e->Procmatch(w)));
          results.push_back({total.Mrr(), cpv, text, track, proximity});
        }
      }
    }
  }
  std::sort(results.begin(), results.end(),
            [](const Result& a, const Result& b) { return a.mrr > b.mrr; });
  out << "### Weight search (cross-validation folds, MRR@10)\n\n"
      << "| cpv | text | track record | proximity | MRR@10 |\n"
      << "| --- | --- | --- | --- | --- |\n";
  for (size_t i = 0; i < results.size() && i < 8; ++i) {
    out << absl::StrFormat("| %.2f | %.2f | %.2f | %.2f | %.4f |\n",
                           results[i].cpv, results[i].text, results[i].track,
                           results[i].proximity, results[i].mrr);
  }
  out << "\n(tags 0.05, desirable requirements 0.10 and size fit 0.05 held at "
         "their defaults; "
      << results.size() << " combinations)\n\n";
}

// The default weights, by ScoreWeights field index.
std::vector<double> DefaultWeightVector() {
  const auto* d = v1::ScoreWeights::descriptor();
  std::vector<double> w(d->field_count());
  for (int i = 0; i < d->field_count(); ++i) {
    w[i] = DefaultWeight(
        static_cast<v1::ScoreComponentKind>(d->field(i)->number()));
  }
  return w;
}

// MRR@10 of `weights` (by ScoreWeights field index) on pooled features:
// candidates ranked by the weighted sum, ties by id as the matcher does.
double PooledMrr(const std::vector<QueryFeatures>& queries,
                 const std::vector<double>& weights) {
  double sum = 0;
  for (const QueryFeatures& q : queries) {
    std::vector<std::pair<double, const Candidate*>> scored;
    for (const Candidate& c : q.candidates) {
      double s = 0;
      for (size_t i = 0; i < weights.size(); ++i) s += weights[i] * c.value[i];
      scored.emplace_back(-s, &c);
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      return a.first < b.first ||
             (a.first == b.first && a.second->id < b.second->id);
    });
    for (size_t i = 0; i < scored.size() && i < kK; ++i) {
      if (scored[i].second->winner) {
        sum += 1.0 / (i + 1);
        break;
      }
    }
  }
  return queries.empty() ? 0 : sum / queries.size();
}

// Coordinate ascent over the ScoreWeights fields: from the defaults, each
// weight in turn takes the grid value that maximises pooled MRR@10 with the
// others held (a change must gain at least 0.001), for up to kRounds rounds.
constexpr int kRounds = 3;
constexpr double kGrid[] = {0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1};

v1::ScoreWeights CoordinateAscent(const std::vector<QueryFeatures>& queries) {
  const auto* d = v1::ScoreWeights::descriptor();
  std::vector<double> w = DefaultWeightVector();
  double best = PooledMrr(queries, w);
  for (int round = 0; round < kRounds; ++round) {
    bool changed = false;
    for (size_t i = 0; i < w.size(); ++i) {
      for (double g : kGrid) {
        std::vector<double> trial = w;
        trial[i] = g;
        const double mrr = PooledMrr(queries, trial);
        if (mrr > best + 0.001) {
          best = mrr;
          w = trial;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  v1::ScoreWeights out;
  for (int i = 0; i < d->field_count(); ++i) {
    out.GetReflection()->SetDouble(&out, d->field(i), w[i]);
  }
  return out;
}

// Pairwise learning to rank: L2-regularised logistic regression on the
// differences of component values between a query's winner and the
// candidates it is compared with (RankNet / RankSVM with a logistic loss):
//   minimise  sum over queries of the mean over its pairs of
//             log(1 + exp(-w . (x_winner - x_other)))  +  |w|^2 / 2,
// w >= 0 (a score weight is never negative). Each query weighs the same,
// as in MRR, whatever its number of pairs; the regularisation is the
// conventional C = 1 (LIBLINEAR's and scikit-learn's default), not tuned.
// `above_only`: compare the winner only with the candidates the default
// weights rank above it (the errors to fix); else with every other
// candidate of its pool. Solved by projected gradient descent with
// backtracking (the objective is convex).
struct Pair {
  std::vector<double> delta;  // x_winner - x_other.
  double weight;              // 1 / pairs of its query.
};

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

std::vector<Pair> Pairs(const std::vector<QueryFeatures>& queries,
                        bool above_only) {
  const std::vector<double> defaults = DefaultWeightVector();
  std::vector<Pair> pairs;
  for (const QueryFeatures& q : queries) {
    for (const Candidate& w : q.candidates) {
      if (!w.winner) continue;
      const double ws = Dot(defaults, w.value);
      std::vector<Pair> mine;
      for (const Candidate& c : q.candidates) {
        if (c.winner) continue;
        const double cs = Dot(defaults, c.value);
        if (above_only && (cs < ws || (cs == ws && c.id > w.id))) continue;
        Pair p;
        for (size_t i = 0; i < w.value.size(); ++i) {
          p.delta.push_back(w.value[i] - c.value[i]);
        }
        mine.push_back(std::move(p));
      }
      for (Pair& p : mine) {
        p.weight = 1.0 / mine.size();
        pairs.push_back(std::move(p));
      }
      break;  // One winner per query: the first in the pool.
    }
  }
  return pairs;
}

double PairwiseLoss(const std::vector<Pair>& pairs,
                    const std::vector<double>& w, std::vector<double>* grad) {
  double loss = Dot(w, w) / 2;
  if (grad != nullptr) *grad = w;
  for (const Pair& p : pairs) {
    const double m = Dot(w, p.delta);
    // log(1 + exp(-m)), stable for large |m|.
    loss += p.weight *
            (m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m)));
    if (grad == nullptr) continue;
    const double g = -p.weight / (1 + std::exp(m));  // d loss / d m.
    for (size_t i = 0; i < w.size(); ++i) (*grad)[i] += g * p.delta[i];
  }
  return loss;
}

v1::ScoreWeights PairwiseLogistic(const std::vector<QueryFeatures>& queries,
                                  bool above_only) {
  const std::vector<Pair> pairs = Pairs(queries, above_only);
  const auto* d = v1::ScoreWeights::descriptor();
  std::vector<double> w(d->field_count(), 0.0);
  std::vector<double> grad;
  double loss = PairwiseLoss(pairs, w, &grad);
  double step = 1;
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::vector<double> next(w.size());
    double fell = 0;
    for (;;) {
      for (size_t i = 0; i < w.size(); ++i) {
        next[i] = std::max(0.0, w[i] - step * grad[i]);
      }
      const double l = PairwiseLoss(pairs, next, nullptr);
      // Armijo condition for the projected step.
      double decrease = 0;
      for (size_t i = 0; i < w.size(); ++i) {
        decrease += grad[i] * (w[i] - next[i]);
      }
      if (l <= loss - 0.5 * decrease || step < 1e-12) {
        fell = loss - l;
        loss = l;
        break;
      }
      step /= 2;
    }
    w = next;
    PairwiseLoss(pairs, w, &grad);
    step *= 2;
    if (fell < 1e-12) break;
  }
  v1::ScoreWeights out;
  double total = 0;
  for (double x : w) total += x;
  for (int i = 0; i < d->field_count(); ++i) {
    // Only ratios matter: shown summing to 1, like the defaults.
    out.GetReflection()->SetDouble(&out, d->field(i),
                                   total > 0 ? w[i] / total : 0);
  }
  return out;
}

std::string WeightsText(const v1::ScoreWeights& w) {
  std::string out;
  const auto* d = v1::ScoreWeights::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    absl::StrAppend(
        &out, i ? ", " : "", d->field(i)->name(), " ",
        absl::StrFormat("%.2f", w.GetReflection()->GetDouble(w, d->field(i))));
  }
  return out;
}

// A way to learn weights from training features.
struct Learner {
  std::string name;
  std::function<v1::ScoreWeights(const std::vector<QueryFeatures>&)> fit;
};

// Nested cross-validation: for each outer fold, weights are learned on its
// four training folds only (inner 4-fold cross-validation: profiles from
// three, features from the fourth) and reported on the held-out fold.
// Finally the weights learned on all five folds, the candidate defaults.
// Every learner sees the same features.
void Learn(const std::vector<Split>& folds, std::ostream& out) {
  const std::vector<Learner> learners = {
      {"coordinate ascent", CoordinateAscent},
      {"pairwise logistic, winner against those above it",
       [](const std::vector<QueryFeatures>& q) {
         return PairwiseLogistic(q, /*above_only=*/true);
       }},
      {"pairwise logistic, winner against its whole pool",
       [](const std::vector<QueryFeatures>& q) {
         return PairwiseLogistic(q, /*above_only=*/false);
       }},
  };
  std::vector<std::vector<QueryFeatures>> training(folds.size());
  for (size_t f = 0; f < folds.size(); ++f) {
    for (size_t g = 0; g < folds.size(); ++g) {
      if (g == f) continue;
      Split inner;
      inner.first = folds[f].first;
      inner.test = folds[g].test;
      for (const v1::Tender* t : folds[f].train) {
        if (std::find(folds[g].test.begin(), folds[g].test.end(), t) ==
            folds[g].test.end()) {
          inner.train.push_back(t);
        }
      }
      auto more = Evaluation(inner, false).Features();
      training[f].insert(training[f].end(), more.begin(), more.end());
    }
  }
  std::vector<QueryFeatures> all;
  for (const Split& f : folds) {
    auto more = Evaluation(f, false).Features();
    all.insert(all.end(), more.begin(), more.end());
  }
  for (const Learner& learner : learners) {
    out << "### Learned weights (" << learner.name
        << ", nested cross-validation)\n\n"
        << "| held-out fold | weights learned on the other four |\n"
        << "| --- | --- |\n";
    std::vector<v1::ScoreWeights> learned;
    for (size_t f = 0; f < folds.size(); ++f) {
      learned.push_back(learner.fit(training[f]));
      out << "| " << f << " | " << WeightsText(learned.back()) << " |\n";
    }
    out << "\n";
    // Held-out figures: each fold ranked with the weights it did not see.
    for (bool per_notice : {false, true}) {
      Metrics learned_total, bm25, cpv, defaults;
      for (size_t f = 0; f < folds.size(); ++f) {
        Evaluation e(folds[f], per_notice);
        learned_total.Merge(e.Run(e.Procmatch(learned[f])));
        defaults.Merge(e.Run(e.Procmatch(v1::ScoreWeights())));
        bm25.Merge(e.Run(e.Xapian(false)));
        cpv.Merge(e.Run(e.Procmatch(Only(1))));
      }
      out << "Held-out, " << (per_notice ? "per notice" : "per lot") << ", "
          << learned_total.queries << " queries: MRR@10 learned "
          << absl::StrFormat("%.3f", learned_total.Mrr()) << ", defaults "
          << absl::StrFormat("%.3f", defaults.Mrr()) << ", Xapian BM25 "
          << absl::StrFormat("%.3f", bm25.Mrr()) << ".\n\n";
      for (const auto& [name, base] :
           std::vector<std::pair<std::string, const Metrics*>>{
               {"Xapian BM25, text", &bm25},
               {"procmatch, CPV relevance only", &cpv},
               {"procmatch, default weights", &defaults}}) {
        const Difference diff = BootstrapDifference(learned_total, *base);
        out << absl::StrFormat(
            "- learned weights against %s: %+.3f [%+.3f, %+.3f]\n", name,
            diff.mrr, diff.low, diff.high);
      }
      out << "\n";
    }
    out << "Weights learned on all five folds: "
        << WeightsText(learner.fit(all)) << "\n\n";
  }
}

int Main(int argc, char** argv) {
  std::string data = "data/ted/notices_dev.jsonl";
  bool tune = false;
  bool learn = false;
  bool misses = false;
  bool winners = false;
  int max_test = 0;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (absl::ConsumePrefix(&a, "--data=")) data = std::string(a);
    if (a == "--tune") tune = true;
    if (a == "--learn") learn = true;
    if (a == "--misses") misses = true;
    if (a == "--winners") winners = true;
    if (absl::ConsumePrefix(&a, "--max_test_notices=")) {
      (void)absl::SimpleAtoi(a, &max_test);
    }
  }
  absl::StatusOr<std::string> content = ReadFileOrStdin(data);
  if (!content.ok()) {
    std::cerr << content.status().message() << "\n";
    return 1;
  }
  std::vector<v1::Tender> notices;
  int line = 0;
  for (absl::string_view l : absl::StrSplit(*content, '\n')) {
    ++line;
    if (l.empty()) continue;
    auto n = ImportTedReducedJson(absl::StrCat(data, ":", line), l);
    if (n.ok()) notices.push_back(std::move(n->tender));
  }
  // Time split: by publication date, then id for a stable order.
  std::vector<const v1::Tender*> by_time;
  for (const auto& t : notices) by_time.push_back(&t);
  std::sort(by_time.begin(), by_time.end(), [](auto* a, auto* b) {
    return std::make_pair(a->published().seconds(), a->id()) <
           std::make_pair(b->published().seconds(), b->id());
  });
  Split time;
  time.first = notices.data();
  const size_t cut = by_time.size() * 8 / 10;
  time.train.assign(by_time.begin(), by_time.begin() + cut);
  time.test.assign(by_time.begin() + cut, by_time.end());
  if (max_test > 0 && time.test.size() > static_cast<size_t>(max_test)) {
    time.test.resize(max_test);
  }
  std::vector<Split> folds(5);
  for (Split& f : folds) f.first = notices.data();
  for (const auto& t : notices) {
    const int fold = Fnv1a(t.source_notice_id()) % 5;
    for (int f = 0; f < 5; ++f) {
      (f == fold ? folds[f].test : folds[f].train).push_back(&t);
    }
  }
  if (max_test > 0) {
    for (Split& f : folds) {
      if (f.test.size() > static_cast<size_t>(max_test))
        f.test.resize(max_test);
    }
  }
  if (winners) {
    for (const auto& t : notices) {
      for (const v1::ContractAward& a : t.awards()) {
        for (const v1::Awardee& w : a.winners()) {
          std::cout << Fnv1a(t.source_notice_id()) % 5 << "\t"
                    << TrackRecordSupplierId(w) << "\t" << w.name() << "\t"
                    << w.town() << "\n";
        }
      }
    }
    return 0;
  }
  if (misses) {
    const auto* d = v1::ScoreWeights::descriptor();
    std::cout << "### Misses (cross-validation, per lot): score: ";
    for (int i = 0; i < d->field_count(); ++i) {
      std::cout << d->field(i)->name() << " ";
    }
    std::cout << "\n\n";
    for (const Split& f : folds) Evaluation(f, false).PrintMisses(std::cout);
    return 0;
  }
  std::cout << "## Winner ranking on real TED awards\n\n"
            << notices.size() << " notices from " << data
            << "; the split is fixed (time: earliest 80% train; folds: FNV-1a "
               "of the notice id mod 5).\n\n";
  const std::string time_title = absl::StrCat(
      "Time split: ", time.train.size(), " earlier notices train, ",
      time.test.size(), " later notices test");
  const v1::ScoreWeights defaults;
  for (bool per_notice : {false, true}) {
    Report(time_title, {time}, per_notice, defaults, std::cout);
    Report("Cross-validation by notice (5 folds, summed)", folds, per_notice,
           defaults, std::cout);
  }
  if (tune) Tune(folds, std::cout);
  if (learn) Learn(folds, std::cout);
  return 0;
}

}  // namespace
}  // namespace procmatch

int main(int argc, char** argv) { return procmatch::Main(argc, argv); }
