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
  int id_rank = 0;  // Position of the supplier id in sorted order.
  int country = 0;  // Dense country number.
  int group = 0;    // Dense control group number.
  bool sme = false;
  bool national = false;
};

struct SearchRules {
  int min_members = 0;
  int max_members = 0;  // 0: no maximum.
  int min_countries = 0;
  int min_independent = 0;
  int min_independent_countries = 0;
  double sme_weight = 0;
  double national_weight = 0;
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

// The preference bonus of a member set (doc/consortium.md):
// sme_weight * SME share + national_weight * national share.
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
