#include "procmatch/internal/consortium_search.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace procmatch {
namespace internal {
namespace {

// Scores are sums of a few doubles in [0, 1]; a bound computed in another
// order can differ from the leaf's sum by far less than this.
constexpr double kTolerance = 1e-9;

std::vector<int> Ranks(const SearchProblem& p, const std::vector<int>& ms) {
  std::vector<int> out;
  out.reserve(ms.size());
  for (int m : ms) out.push_back(p.members[m].id_rank);
  return out;
}

// Members in id order, each once.
std::vector<int> ByRank(const SearchProblem& p, std::vector<int> ms) {
  std::sort(ms.begin(), ms.end(), [&](int a, int b) {
    return p.members[a].id_rank < p.members[b].id_rank;
  });
  ms.erase(std::unique(ms.begin(), ms.end()), ms.end());
  return ms;
}

// The proposal of `choice` (per package, an index into its candidates).
SearchProposal MakeProposal(const SearchProblem& p,
                            const std::vector<int>& choice) {
  SearchProposal out;
  std::vector<int> ms = p.required;
  for (size_t w = 0; w < choice.size(); ++w) {
    const auto& [member, score] = p.packages[w][choice[w]];
    out.assignment.push_back(member);
    ms.push_back(member);
    out.package_score += score;
  }
  out.members = ByRank(p, std::move(ms));
  out.bonus = PreferenceBonus(p, out.members);
  out.score = out.package_score + out.bonus;
  return out;
}

int DistinctCountries(const SearchProblem& p, const std::vector<int>& ms) {
  std::vector<int> c;
  for (int m : ms) c.push_back(p.members[m].country);
  std::sort(c.begin(), c.end());
  return static_cast<int>(std::unique(c.begin(), c.end()) - c.begin());
}

// The top n distinct member sets, each with the best assignment offered
// for it. Exact whatever the order of offers: a set evicted with its best
// assignment scores below n other sets, so no later offer of it enters.
class TopProposals {
 public:
  TopProposals(const SearchProblem& p, int n) : p_(p), n_(n) {}

  void Offer(SearchProposal x) {
    for (SearchProposal& y : list_) {
      if (y.members != x.members) continue;
      if (Better(p_, x, y)) {
        y = std::move(x);
        Sort();
      }
      return;
    }
    if (static_cast<int>(list_.size()) < n_) {
      list_.push_back(std::move(x));
    } else if (Better(p_, x, list_.back())) {
      list_.back() = std::move(x);
    } else {
      return;
    }
    Sort();
  }
  bool full() const { return static_cast<int>(list_.size()) >= n_; }
  double worst() const { return list_.back().score; }
  std::vector<SearchProposal> Take() && { return std::move(list_); }

 private:
  void Sort() {
    std::sort(list_.begin(), list_.end(),
              [&](const SearchProposal& a, const SearchProposal& b) {
                return Better(p_, a, b);
              });
  }
  const SearchProblem& p_;
  int n_;
  std::vector<SearchProposal> list_;
};

// The branch and bound: packages in order, candidates best first.
class Search {
 public:
  Search(const SearchProblem& p, int n)
      : p_(p), top_(p, n), count_(p.members.size(), 0) {
    int countries = 0, groups = 0;
    for (const SearchMember& m : p.members) {
      countries = std::max(countries, m.country + 1);
      groups = std::max(groups, m.group + 1);
    }
    country_count_.assign(countries, 0);
    group_count_.assign(groups, 0);
    const size_t w = p.packages.size();
    suffix_.assign(w + 1, 0);
    for (size_t i = w; i-- > 0;) {
      double best = 0;
      for (const auto& c : p.packages[i]) best = std::max(best, c.second);
      suffix_[i] = suffix_[i + 1] + best;
    }
    choice_.assign(w, 0);
  }

  std::vector<SearchProposal> Run(int64_t* nodes) && {
    for (int m : p_.required) Add(m);
    Visit(0, 0.0);
    if (nodes != nullptr) *nodes = nodes_;
    return std::move(top_).Take();
  }

 private:
  void Add(int m) {
    if (count_[m]++ > 0) return;
    active_.push_back(m);
    const SearchMember& s = p_.members[m];
    if (country_count_[s.country]++ == 0) ++countries_;
    if (group_count_[s.group]++ == 0) ++groups_;
    sme_ += s.sme;
    national_ += s.national;
  }
  void Remove(int m) {
    if (--count_[m] > 0) return;
    active_.pop_back();  // Added last: the search is depth first.
    const SearchMember& s = p_.members[m];
    if (--country_count_[s.country] == 0) --countries_;
    if (--group_count_[s.group] == 0) --groups_;
    sme_ -= s.sme;
    national_ -= s.national;
  }

  // The largest bonus any completion can reach: each of the `room` members
  // still to come is assumed SME and national, which raises both shares.
  double BonusBound(int remaining) const {
    const SearchRules& r = p_.rules;
    const int n = static_cast<int>(active_.size());
    int room = remaining;
    if (r.max_members > 0) room = std::min(room, r.max_members - n);
    room = std::max(room, 0);
    if (n + room == 0) return 0;
    double bound = r.sme_weight * (sme_ + room) / (n + room) +
                   r.national_weight * (national_ + room) / (n + room);
    if (r.funding_rate_applies && r.funding_rate_weight > 0) {
      bound += r.funding_rate_weight * FundingRateBound(room);
    }
    return bound;
  }

  // The most points any completion with at most `room` more members can
  // earn: each newcomer is an SME established in a country of no non-SME
  // member or a mid-cap that makes no SME domestic, and the present SMEs
  // keep their side of the border. A completion's SMEs can only become
  // domestic (worth less) and its other newcomers only dilute the shares,
  // so no completion earns more (doc/consortium.md).
  double FundingRateBound(int room) const {
    const FundingRateIncrease now = FundingRateOf(p_, active_);
    double best = 0;
    for (int smes = 0; smes <= room; ++smes) {
      for (int mid_caps = 0; smes + mid_caps <= room; ++mid_caps) {
        best =
            std::max(best, FundingRateIncreaseOf(
                               now.members + smes + mid_caps, now.smes + smes,
                               now.domestic_smes, now.cross_border_smes + smes,
                               now.mid_caps + mid_caps, p_.rules.pesco_points)
                               .points);
      }
    }
    return best;
  }

  void Visit(size_t w, double partial) {
    ++nodes_;
    const SearchRules& r = p_.rules;
    const int n = static_cast<int>(active_.size());
    const int remaining = static_cast<int>(p_.packages.size() - w);
    // Each remaining package adds at most one member, country and group.
    if (r.max_members > 0 && n > r.max_members) return;
    if (n + remaining < r.min_members) return;
    if (countries_ + remaining < r.min_countries) return;
    if (groups_ + remaining < r.min_independent) return;
    if (w == p_.packages.size()) {
      if (!FirstUnmetRule(p_, active_).empty()) return;
      top_.Offer(MakeProposal(p_, choice_));
      return;
    }
    if (top_.full() && partial + suffix_[w] + BonusBound(remaining) <
                           top_.worst() - kTolerance) {
      return;
    }
    const auto& candidates = p_.packages[w];
    for (size_t i = 0; i < candidates.size(); ++i) {
      choice_[w] = static_cast<int>(i);
      Add(candidates[i].first);
      Visit(w + 1, partial + candidates[i].second);
      Remove(candidates[i].first);
    }
  }

  const SearchProblem& p_;
  TopProposals top_;
  std::vector<int> count_;  // Per member: packages, plus 1 if required.
  std::vector<int> active_;
  std::vector<int> country_count_;
  std::vector<int> group_count_;
  int countries_ = 0;
  int groups_ = 0;
  int sme_ = 0;
  int national_ = 0;
  std::vector<double> suffix_;  // Best scores of packages w and after.
  std::vector<int> choice_;
  int64_t nodes_ = 0;
};

// The reference test of independence: every subset of min_independent
// members, checked directly.
bool IndependentBySubsets(const SearchProblem& p, const std::vector<int>& ms) {
  const SearchRules& r = p.rules;
  if (r.min_independent <= 0) return true;
  const int n = static_cast<int>(ms.size());
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) != r.min_independent) continue;
    std::vector<int> subset, groups;
    for (int i = 0; i < n; ++i) {
      if (mask & (1u << i)) {
        subset.push_back(ms[i]);
        groups.push_back(p.members[ms[i]].group);
      }
    }
    std::sort(groups.begin(), groups.end());
    if (std::unique(groups.begin(), groups.end()) != groups.end()) continue;
    if (DistinctCountries(p, subset) >= r.min_independent_countries) {
      return true;
    }
  }
  return false;
}

}  // namespace

FundingRateIncrease FundingRateIncreaseOf(int members, int smes,
                                          int domestic_smes,
                                          int cross_border_smes, int mid_caps,
                                          double pesco_points) {
  FundingRateIncrease f;
  f.members = members;
  f.smes = smes;
  f.domestic_smes = domestic_smes;
  f.cross_border_smes = cross_border_smes;
  f.mid_caps = mid_caps;
  f.pesco_points = pesco_points;
  if (members > 0) {
    const double n = members;
    // Shares compared in integers: exact at the thresholds.
    if (100 * smes >= kSmeMinPercent * members) {
      f.sme_points =
          std::min(kDomesticSmeMaxPoints, 100.0 * domestic_smes / n) +
          kCrossBorderSmeFactor * 100.0 * cross_border_smes / n;
    }
    if (100 * mid_caps >= kMidCapMinPercent * members) {
      f.mid_cap_points = kMidCapPoints;
    }
  }
  f.points = std::min(kMaxIncreasePoints,
                      f.sme_points + f.mid_cap_points + f.pesco_points);
  return f;
}

FundingRateIncrease FundingRateOf(const SearchProblem& p,
                                  const std::vector<int>& ms) {
  if (!p.rules.funding_rate_applies || ms.empty()) return {};
  std::vector<int> non_sme_countries;
  int smes = 0, mid_caps = 0;
  for (int m : ms) {
    const SearchMember& s = p.members[m];
    smes += s.sme;
    mid_caps += s.mid_cap;
    if (!s.sme) non_sme_countries.push_back(s.country);
  }
  int domestic = 0;
  for (int m : ms) {
    const SearchMember& s = p.members[m];
    if (s.sme && std::find(non_sme_countries.begin(), non_sme_countries.end(),
                           s.country) != non_sme_countries.end()) {
      ++domestic;
    }
  }
  return FundingRateIncreaseOf(static_cast<int>(ms.size()), smes, domestic,
                               smes - domestic, mid_caps, p.rules.pesco_points);
}

double PreferenceBonus(const SearchProblem& p, const std::vector<int>& ms) {
  if (ms.empty()) return 0;
  int sme = 0, national = 0;
  for (int m : ms) {
    sme += p.members[m].sme;
    national += p.members[m].national;
  }
  const double n = static_cast<double>(ms.size());
  double bonus =
      p.rules.sme_weight * sme / n + p.rules.national_weight * national / n;
  if (p.rules.funding_rate_applies && p.rules.funding_rate_weight > 0) {
    bonus += p.rules.funding_rate_weight * FundingRateOf(p, ms).points;
  }
  return bonus;
}

int IndependentCountries(const SearchProblem& p, const std::vector<int>& ms) {
  std::map<int, std::vector<int>> countries_of_group;
  for (int m : ms) {
    countries_of_group[p.members[m].group].push_back(p.members[m].country);
  }
  if (static_cast<int>(countries_of_group.size()) < p.rules.min_independent) {
    return 0;
  }
  // Kuhn's augmenting paths: groups on one side, countries on the other.
  std::map<int, int> group_of_country;
  int matched = 0;
  for (const auto& entry : countries_of_group) {
    std::map<int, bool> seen;
    std::function<bool(int)> augment = [&](int g) {
      for (int c : countries_of_group[g]) {
        if (seen[c]) continue;
        seen[c] = true;
        auto it = group_of_country.find(c);
        if (it == group_of_country.end() || augment(it->second)) {
          group_of_country[c] = g;
          return true;
        }
      }
      return false;
    };
    if (augment(entry.first)) ++matched;
  }
  return std::min(matched, p.rules.min_independent);
}

std::string FirstUnmetRule(const SearchProblem& p, const std::vector<int>& ms) {
  const SearchRules& r = p.rules;
  const int n = static_cast<int>(ms.size());
  if (n < r.min_members) return "min_members";
  if (r.max_members > 0 && n > r.max_members) return "max_members";
  if (DistinctCountries(p, ms) < r.min_countries) {
    return "min_distinct_countries";
  }
  if (r.min_independent > 0 &&
      IndependentCountries(p, ms) < std::max(1, r.min_independent_countries)) {
    return "independence";
  }
  return "";
}

bool Better(const SearchProblem& p, const SearchProposal& a,
            const SearchProposal& b) {
  if (a.score != b.score) return a.score > b.score;
  const std::vector<int> am = Ranks(p, a.members), bm = Ranks(p, b.members);
  if (am != bm) return am < bm;
  return Ranks(p, a.assignment) < Ranks(p, b.assignment);
}

std::vector<SearchProposal> SearchProposals(const SearchProblem& p, int n,
                                            int64_t* nodes) {
  if (n <= 0) return {};
  return Search(p, n).Run(nodes);
}

std::vector<SearchProposal> EnumerateProposals(const SearchProblem& p, int n) {
  const size_t w = p.packages.size();
  for (const auto& c : p.packages) {
    if (c.empty()) return {};
  }
  std::map<std::vector<int>, SearchProposal> best;  // By member set.
  std::vector<int> choice(w, 0);
  while (true) {
    SearchProposal x = MakeProposal(p, choice);
    const SearchRules& r = p.rules;
    const int size = static_cast<int>(x.members.size());
    const bool ok = size >= r.min_members &&
                    (r.max_members == 0 || size <= r.max_members) &&
                    DistinctCountries(p, x.members) >= r.min_countries &&
                    IndependentBySubsets(p, x.members);
    if (ok) {
      auto it = best.find(x.members);
      if (it == best.end()) {
        best.emplace(x.members, std::move(x));
      } else if (Better(p, x, it->second)) {
        it->second = std::move(x);
      }
    }
    size_t i = 0;
    while (i < w && ++choice[i] == static_cast<int>(p.packages[i].size())) {
      choice[i++] = 0;
    }
    if (i == w) break;
  }
  std::vector<SearchProposal> out;
  for (auto& entry : best) out.push_back(std::move(entry.second));
  std::sort(out.begin(), out.end(),
            [&](const SearchProposal& a, const SearchProposal& b) {
              return Better(p, a, b);
            });
  if (static_cast<int>(out.size()) > n) out.resize(n);
  return out;
}

}  // namespace internal
}  // namespace procmatch
