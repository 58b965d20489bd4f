// File: lib/internal/consortium_search.h
//
// INTERNAL. The combinatorial core of the ConsortiumBuilder, apart from
// matching so that it can be checked on its own: given the scored
// candidates of each work package and the rules, the top n member sets, each
// with its best assignment of packages to members, by the objective of
// doc/consortium.md. SearchProposals() is a branch and bound;
// EnumerateProposals() tries every assignment and is the reference the tests
// compare it with.
//
// Threading: plain functions of their arguments.
#ifndef PROCMATCH_LIB_INTERNAL_CONSORTIUM_SEARCH_H_
#define PROCMATCH_LIB_INTERNAL_CONSORTIUM_SEARCH_H_

#include <cstdint>
#include <string>
#include <vector>

namespace procmatch {
namespace internal {

struct SearchMember {
  int id_rank = 0;   // Position of the supplier id in sorted order.
  int country = 0;   // Dense country number.
  int group = 0;     // Dense control group number.
  bool sme = false;  // SME or micro-enterprise.
  bool national = false;
  bool mid_cap = false;
};

// The funding-rate increases of development actions, Regulation (EU)
// 2021/697 art. 13(3) (doc/consortium.md, "Funding-rate increase"), in
// percentage points of the funding rate.
// Point (a): an action developed in the context of a PESCO project.
inline constexpr double kPescoPoints = 10;
// Point (b): SMEs qualify the action when they receive at least 10 % of its
// eligible costs; SMEs established in the countries of the non-SME
// recipients add their percentage, up to 5 points; SMEs established in
// other countries add twice their percentage.
inline constexpr int kSmeMinPercent = 10;
inline constexpr double kDomesticSmeMaxPoints = 5;
inline constexpr double kCrossBorderSmeFactor = 2;
// Point (c), not verified against the text (doc/consortium.md): 10 points
// when mid-caps receive at least 15 % of the eligible costs.
inline constexpr int kMidCapMinPercent = 15;
inline constexpr double kMidCapPoints = 10;
// The overall increase, not verified against the text: at most 35 points.
inline constexpr double kMaxIncreasePoints = 35;

// The increase a member set earns, with its parts. Eligible costs are
// assumed shared equally by the members (doc/consortium.md).
struct FundingRateIncrease {
  int members = 0;
  int smes = 0;
  int domestic_smes = 0;  // In a country of a non-SME member.
  int cross_border_smes = 0;
  int mid_caps = 0;
  double sme_points = 0;
  double mid_cap_points = 0;
  double pesco_points = 0;
  double points = 0;  // The sum, at most kMaxIncreasePoints.
};

// The increase for these counts (members > 0), `pesco_points` included:
// the one formula the builder, the search and its bound share.
FundingRateIncrease FundingRateIncreaseOf(int members, int smes,
                                          int domestic_smes,
                                          int cross_border_smes, int mid_caps,
                                          double pesco_points);

struct SearchRules {
  int min_members = 0;
  int max_members = 0;  // 0: no maximum.
  int min_countries = 0;
  int min_independent = 0;
  int min_independent_countries = 0;
  double sme_weight = 0;
  double national_weight = 0;
  // The art. 13(3) increase as a preference: funding_rate_weight per
  // percentage point, for development actions only.
  bool funding_rate_applies = false;
  double funding_rate_weight = 0;
  double pesco_points = 0;  // kPescoPoints for a PESCO project, else 0.
};

struct SearchProblem {
  std::vector<SearchMember> members;
  // Per work package: (member, match score), best score first.
  std::vector<std::vector<std::pair<int, double>>> packages;
  std::vector<int> required;  // Members every proposal includes.
  SearchRules rules;
};

struct SearchProposal {
  std::vector<int> assignment;  // Per work package, its member.
  std::vector<int> members;     // Required and assigned, by id rank.
  double package_score = 0;     // Sum over packages, in package order.
  double bonus = 0;
  double score = 0;  // package_score + bonus.
};

// The art. 13(3) increase of a member set; all zero when the rules say it
// does not apply.
FundingRateIncrease FundingRateOf(const SearchProblem& p,
                                  const std::vector<int>& members);

// The preference bonus of a member set (doc/consortium.md):
// sme_weight * SME share + national_weight * national share
// + funding_rate_weight * funding-rate increase in points.
double PreferenceBonus(const SearchProblem& p, const std::vector<int>& members);

// "" when `members` meets every rule, else the first rule it fails, by the
// rule's field name ("min_members", "max_members", "min_distinct_countries",
// "independence").
std::string FirstUnmetRule(const SearchProblem& p,
                           const std::vector<int>& members);

// The most countries that min_independent members of distinct control
// groups can span among `members` (0 when there are fewer groups than
// that): a maximum matching of groups to countries.
int IndependentCountries(const SearchProblem& p,
                         const std::vector<int>& members);

// Proposal order: score descending, then member id ranks, then the
// assignment's id ranks, ascending.
bool Better(const SearchProblem& p, const SearchProposal& a,
            const SearchProposal& b);

// The top `n` member sets meeting the rules, best first, each with its best
// assignment. `nodes` (may be null) receives the partial assignments
// visited.
std::vector<SearchProposal> SearchProposals(const SearchProblem& p, int n,
                                            int64_t* nodes);

// The same by trying every assignment; for tests, small problems only.
std::vector<SearchProposal> EnumerateProposals(const SearchProblem& p, int n);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_CONSORTIUM_SEARCH_H_
