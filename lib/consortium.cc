#include "procmatch/consortium.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "procmatch/internal/consortium_rules.h"
#include "procmatch/internal/consortium_search.h"

namespace procmatch {
namespace {

using internal::SearchProblem;
using internal::SearchProposal;

constexpr int kDefaultProposals = 5;
constexpr int kDefaultCandidates = 20;
constexpr int kMaxLeftOut = 5;
// A required member covers a package when its match score is at least this
// share of the best candidate's (doc/consortium.md, "Partners for me").
constexpr double kCoverShare = 0.5;

// The controller a profile states: its ultimate controller, else its
// parent, else itself (supplier.proto, Ownership).
const std::string& StatedController(const v1::SupplierProfile& s) {
  if (!s.ownership().ultimate_controller_id().empty()) {
    return s.ownership().ultimate_controller_id();
  }
  if (!s.ownership().parent_id().empty()) return s.ownership().parent_id();
  return s.id();
}

bool IsSme(const v1::SupplierProfile& s) {
  return s.entity_type() == v1::ENTITY_TYPE_SME ||
         s.entity_type() == v1::ENTITY_TYPE_MICRO_ENTERPRISE;
}

// Why `s` may not be a member under `r` (art. 9(1)-(4)), or "".
std::string Ineligibility(const v1::SupplierProfile& s,
                          const v1::ConsortiumRules& r) {
  const auto& allowed = r.eligible_countries();
  auto eligible = [&](const std::string& c) {
    return allowed.empty() ||
           std::find(allowed.begin(), allowed.end(), c) != allowed.end();
  };
  if (!eligible(s.country())) {
    return absl::StrCat("established in \"", s.country(),
                        "\", not an eligible country (art. 9(1))");
  }
  const std::string& management = s.executive_management_country().empty()
                                      ? s.country()
                                      : s.executive_management_country();
  if (!eligible(management)) {
    return absl::StrCat("executive management structures in \"", management,
                        "\", not an eligible country (art. 9(2))");
  }
  if (r.no_third_country_control()) {
    switch (s.third_country_control()) {
      case v1::THIRD_COUNTRY_CONTROL_CONTROLLED:
        return "controlled from a non-associated third country without "
               "guarantees (art. 9(3)-(4))";
      case v1::THIRD_COUNTRY_CONTROL_UNSPECIFIED:
        return "third-country control not stated";
      default:
        break;
    }
  }
  return "";
}

// What Propose() gathers before the search.
struct Gathered {
  // The profiles read for this request, by doc: a supplier's stored bytes
  // are parsed once, however many work packages, rules and explanations
  // read them (a std::map, so references stay valid as it grows).
  std::map<int, v1::SupplierProfile> profiles;
  std::vector<int> docs;                    // Per search member.
  absl::flat_hash_map<int, int> member_of;  // Doc to search member.
  std::vector<std::string> country_names;   // Per dense country.
  std::vector<std::string> group_keys;      // Per dense group.
  // Per package: search member to its explained match.
  std::vector<absl::flat_hash_map<int, v1::SupplierMatch>> matches;
  std::vector<int> required;  // Search members, request order.
  SearchProblem problem;

  const v1::SupplierProfile& Profile(const SupplierIndex& index, int doc) {
    auto it = profiles.find(doc);
    if (it == profiles.end()) {
      it = profiles.emplace(doc, index.profile(doc)).first;
    }
    return it->second;
  }
  const v1::SupplierProfile& MemberProfile(int member) const {
    return profiles.at(docs[member]);
  }
};

// The control group of `s`: two suppliers with the same key are controlled,
// directly or indirectly, by the same entity, or one controls the other
// (art. 10(4)). A stated controller that is itself in the index is followed
// to the controller it states, so that a parent's own parent counts; a
// cycle of control (bad data) is one group, named by its smallest id.
std::string ControlGroup(const SupplierIndex& index,
                         const v1::SupplierProfile& s, Gathered* g) {
  std::vector<std::string> chain = {StatedController(s)};
  while (true) {
    const int doc = index.FindDoc(chain.back());
    if (doc < 0) return chain.back();
    const std::string next = StatedController(g->Profile(index, doc));
    if (next == chain.back()) return next;
    auto seen = std::find(chain.begin(), chain.end(), next);
    if (seen != chain.end()) return *std::min_element(seen, chain.end());
    chain.push_back(next);
  }
}

int MemberOf(const SupplierIndex& index, const v1::ConsortiumRules& rules,
             int doc, Gathered* g) {
  auto it = g->member_of.find(doc);
  if (it != g->member_of.end()) return it->second;
  const v1::SupplierProfile& s = g->Profile(index, doc);
  auto dense = [](std::vector<std::string>* names, const std::string& name) {
    auto at = std::find(names->begin(), names->end(), name);
    if (at != names->end()) return static_cast<int>(at - names->begin());
    names->push_back(name);
    return static_cast<int>(names->size() - 1);
  };
  internal::SearchMember m;
  m.id_rank = doc;  // The index holds suppliers in id order.
  m.country = dense(&g->country_names, s.country());
  m.group = dense(&g->group_keys, ControlGroup(index, s, g));
  m.sme = IsSme(s);
  m.mid_cap = s.entity_type() == v1::ENTITY_TYPE_MID_CAP;
  m.national = !rules.preferences().national_country().empty() &&
               s.country() == rules.preferences().national_country();
  g->problem.members.push_back(m);
  g->docs.push_back(doc);
  const int member = static_cast<int>(g->docs.size() - 1);
  g->member_of[doc] = member;
  return member;
}

std::string Names(const std::vector<int>& dense_ids,
                  const std::vector<std::string>& names) {
  std::set<std::string> out;
  for (int i : dense_ids) out.insert(names[i]);
  return absl::StrJoin(out, ", ");
}

std::vector<int> CountriesOf(const Gathered& g, const std::vector<int>& ms) {
  std::vector<int> out;
  for (int m : ms) out.push_back(g.problem.members[m].country);
  return out;
}

int Distinct(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return static_cast<int>(std::unique(v.begin(), v.end()) - v.begin());
}

v1::RuleOutcome Outcome(const std::string& rule, bool met,
                        const std::string& reason) {
  v1::RuleOutcome o;
  o.set_rule(rule);
  o.set_met(met);
  o.set_reason(reason);
  return o;
}

// The art. 13(3) funding-rate increase of a proposal, with its reason.
v1::FundingRateIncrease FundingRate(const Gathered& g,
                                    const SearchProposal& x) {
  const SearchProblem& p = g.problem;
  v1::FundingRateIncrease out;
  out.set_applies(p.rules.funding_rate_applies);
  if (!p.rules.funding_rate_applies) {
    out.set_reason("not a development action: art. 13(3) does not apply");
    return out;
  }
  const internal::FundingRateIncrease f = internal::FundingRateOf(p, x.members);
  out.set_smes(f.smes);
  out.set_domestic_smes(f.domestic_smes);
  out.set_cross_border_smes(f.cross_border_smes);
  out.set_mid_caps(f.mid_caps);
  out.set_sme_points(f.sme_points);
  out.set_mid_cap_points(f.mid_cap_points);
  out.set_pesco_points(f.pesco_points);
  out.set_points(f.points);
  out.set_score(p.rules.funding_rate_weight * f.points);
  std::vector<int> non_sme_countries;
  for (int m : x.members) {
    if (!p.members[m].sme) non_sme_countries.push_back(p.members[m].country);
  }
  const int n = f.members;
  auto percent = [n](int k) { return 100.0 * k / n; };
  std::string reason = absl::StrFormat(
      "development action (art. 13(3)), eligible costs assumed shared "
      "equally by the %d members: SMEs %d/%d = %.1f%%",
      n, f.smes, n, percent(f.smes));
  if (100 * f.smes < internal::kSmeMinPercent * n) {
    absl::StrAppend(&reason, absl::StrFormat(" (below %d%%: no SME increase)",
                                             internal::kSmeMinPercent));
  } else {
    absl::StrAppend(
        &reason,
        absl::StrFormat(
            " (at least %d%%); in the countries of the non-SME members (%s) "
            "%d/%d = %.1f%%, at most %.0f points; in other countries %d/%d "
            "counted twice: +%.1f points",
            internal::kSmeMinPercent,
            non_sme_countries.empty()
                ? std::string("none")
                : Names(non_sme_countries, g.country_names),
            f.domestic_smes, n, percent(f.domestic_smes),
            internal::kDomesticSmeMaxPoints, f.cross_border_smes, n,
            f.sme_points));
  }
  absl::StrAppend(
      &reason,
      absl::StrFormat("; mid-caps %d/%d = %.1f%%: +%.0f points; PESCO: +%.0f; "
                      "total +%.1f points (at most %.0f)",
                      f.mid_caps, n, percent(f.mid_caps), f.mid_cap_points,
                      f.pesco_points, f.points, internal::kMaxIncreasePoints));
  if (p.rules.funding_rate_weight > 0) {
    absl::StrAppend(&reason,
                    absl::StrFormat(", x %g per point = %.3f",
                                    p.rules.funding_rate_weight, out.score()));
  }
  out.set_reason(reason);
  return out;
}

// The rules of a proposal, each with its reason.
void AddRuleOutcomes(const SupplierIndex& index, const v1::ConsortiumRules& r,
                     const Gathered& g, const SearchProposal& x,
                     v1::ConsortiumProposal* out) {
  const SearchProblem& p = g.problem;
  const int n = static_cast<int>(x.members.size());
  std::vector<std::string> guaranteed;
  for (int m : x.members) {
    const v1::SupplierProfile& s = g.MemberProfile(m);
    if (s.third_country_control() ==
        v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES) {
      guaranteed.push_back(s.name());
    }
  }
  std::string eligibility =
      r.eligible_countries().empty()
          ? absl::StrCat("all ", n, " members may take part (no country list)")
          : absl::StrCat("all ", n,
                         " members are established, with their executive "
                         "management structures, in eligible countries "
                         "(art. 9(1)-(2))");
  if (!guaranteed.empty()) {
    absl::StrAppend(&eligibility,
                    "; eligible through guarantees approved by the member "
                    "state or associated country of establishment (art. "
                    "9(4)), flagged: ",
                    absl::StrJoin(guaranteed, ", "));
  }
  if (r.action_type() != v1::ACTION_TYPE_UNSPECIFIED) {
    absl::StrAppend(&eligibility,
                    "; not checked (not in the profiles): the "
                    "infrastructure, facilities, assets and resources used "
                    "for the action must be in a member state or associated "
                    "country for its whole duration (art. 9(2))");
  }
  out->add_rules()->CopyFrom(Outcome("eligibility", true, eligibility));
  out->add_rules()->CopyFrom(Outcome(
      "coverage", true,
      absl::StrCat("each of the ", x.assignment.size(),
                   " work packages is led by one member that matches it")));
  if (r.min_members() > 0) {
    out->add_rules()->CopyFrom(
        Outcome("min_members", true,
                absl::StrCat(n, " members, at least ", r.min_members())));
  }
  if (r.max_members() > 0) {
    out->add_rules()->CopyFrom(
        Outcome("max_members", true,
                absl::StrCat(n, " members, at most ", r.max_members())));
  }
  const std::vector<int> countries = CountriesOf(g, x.members);
  if (r.min_distinct_countries() > 0) {
    out->add_rules()->CopyFrom(
        Outcome("min_distinct_countries", true,
                absl::StrCat(Distinct(countries), " countries (",
                             Names(countries, g.country_names), "), at least ",
                             r.min_distinct_countries())));
  }
  if (r.min_independent_members() > 0) {
    std::vector<int> groups;
    for (int m : x.members) groups.push_back(p.members[m].group);
    out->add_rules()->CopyFrom(Outcome(
        "independence", true,
        absl::StrFormat(
            "%d control groups among the members (not controlled by the same "
            "entity nor each other); %d independent members needed across %d "
            "countries, and %d of them can span %d (art. 10(4))",
            Distinct(groups), r.min_independent_members(),
            r.min_independent_countries(), r.min_independent_members(),
            internal::IndependentCountries(p, x.members))));
  }
  if (!g.required.empty()) {
    std::vector<absl::string_view> names;
    for (int m : g.required) names.push_back(index.name(g.docs[m]));
    out->add_rules()->CopyFrom(
        Outcome("required_members", true,
                absl::StrCat("includes ", absl::StrJoin(names, ", "))));
  }
  if (p.rules.funding_rate_applies) {
    out->add_rules()->CopyFrom(Outcome("funding_rate_increase", true,
                                       out->funding_rate_increase().reason()));
  }
  const v1::ConsortiumPreferences& pref = r.preferences();
  if (pref.sme_weight() > 0 || pref.national_weight() > 0) {
    int sme = 0, national = 0;
    for (int m : x.members) {
      sme += p.members[m].sme;
      national += p.members[m].national;
    }
    std::string words =
        absl::StrFormat("SME share %d/%d x %.2f", sme, n, pref.sme_weight());
    if (pref.national_weight() > 0) {
      absl::StrAppend(&words, absl::StrFormat(", %s share %d/%d x %.2f",
                                              pref.national_country(), national,
                                              n, pref.national_weight()));
    }
    absl::StrAppend(&words, absl::StrFormat(": bonus %.3f", x.bonus));
    out->add_rules()->CopyFrom(Outcome("preferences", true, words));
  }
}

// The strongest candidates not in the proposal, and why: each is put in
// place of the package's member, and the rules and objective are checked.
void AddLeftOut(const SupplierIndex& index, const v1::Call& call,
                const Gathered& g, const std::vector<SearchProposal>& all,
                int which, v1::ConsortiumProposal* out) {
  const SearchProblem& p = g.problem;
  const SearchProposal& x = all[which];
  struct Entry {
    double score;
    int member;
    int package;
  };
  std::vector<Entry> entries;
  for (size_t w = 0; w < p.packages.size(); ++w) {
    double assigned = 0;
    for (const auto& [m, s] : p.packages[w]) {
      if (m == x.assignment[w]) assigned = s;
    }
    for (const auto& [m, s] : p.packages[w]) {
      if (s <= assigned) break;
      if (std::binary_search(
              x.members.begin(), x.members.end(), m, [&](int a, int b) {
                return p.members[a].id_rank < p.members[b].id_rank;
              })) {
        continue;
      }
      entries.push_back({s, m, static_cast<int>(w)});
    }
  }
  std::sort(
      entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
        if (a.score != b.score) return a.score > b.score;
        if (a.member != b.member) {
          return p.members[a.member].id_rank < p.members[b.member].id_rank;
        }
        return a.package < b.package;
      });
  std::set<int> listed;
  for (const Entry& e : entries) {
    if (static_cast<int>(listed.size()) >= kMaxLeftOut) break;
    if (!listed.insert(e.member).second) continue;
    std::vector<int> assignment = x.assignment;
    assignment[e.package] = e.member;
    std::vector<int> ms = g.required;
    ms.insert(ms.end(), assignment.begin(), assignment.end());
    std::sort(ms.begin(), ms.end(), [&](int a, int b) {
      return p.members[a].id_rank < p.members[b].id_rank;
    });
    ms.erase(std::unique(ms.begin(), ms.end()), ms.end());
    const std::string unmet = internal::FirstUnmetRule(p, ms);
    const absl::string_view replaced =
        index.name(g.docs[x.assignment[e.package]]);
    std::string reason;
    if (!unmet.empty()) {
      reason =
          absl::StrCat("in place of ", replaced, " the proposal fails ", unmet);
    } else {
      double score = internal::PreferenceBonus(p, ms);
      for (size_t w = 0; w < assignment.size(); ++w) {
        for (const auto& [m, s] : p.packages[w]) {
          if (m == assignment[w]) score += s;
        }
      }
      int rank = 0;
      for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].members == ms) rank = static_cast<int>(i) + 1;
      }
      reason = rank > 0 ? absl::StrCat("in place of ", replaced,
                                       " it makes proposal ", rank)
                        : absl::StrFormat(
                              "in place of %s the proposal scores %.3f, not "
                              "%.3f (a smaller preference bonus)",
                              replaced, score, x.score);
    }
    v1::LeftOutCandidate* l = out->add_left_out();
    const v1::SupplierProfile& s = g.MemberProfile(e.member);
    l->set_supplier_id(s.id());
    l->set_supplier_name(s.name());
    l->set_work_package_id(call.work_packages(e.package).id());
    l->set_score(e.score);
    l->set_reason(reason);
  }
}

v1::ConsortiumProposal Describe(const SupplierIndex& index,
                                const v1::Call& call,
                                const v1::ConsortiumRules& rules,
                                const Gathered& g,
                                const std::vector<SearchProposal>& all,
                                int which) {
  const SearchProblem& p = g.problem;
  const SearchProposal& x = all[which];
  v1::ConsortiumProposal out;
  out.set_rank(which + 1);
  out.set_score(x.score);
  out.set_work_package_score(x.package_score);
  out.set_preference_bonus(x.bonus);
  out.set_distinct_countries(Distinct(CountriesOf(g, x.members)));
  // Members: the first required one coordinates, else the member with the
  // most score; then by score, then id.
  std::map<int, double> member_score;
  for (int m : x.members) member_score[m] = 0;
  for (size_t w = 0; w < x.assignment.size(); ++w) {
    for (const auto& [m, s] : p.packages[w]) {
      if (m == x.assignment[w]) member_score[m] += s;
    }
  }
  std::vector<int> order = x.members;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return member_score[a] > member_score[b];
  });
  if (!g.required.empty()) {
    order.erase(std::find(order.begin(), order.end(), g.required[0]));
    order.insert(order.begin(), g.required[0]);
  }
  std::set<int> groups_seen;
  for (size_t i = 0; i < order.size(); ++i) {
    const int m = order[i];
    const v1::SupplierProfile& s = g.MemberProfile(m);
    v1::ConsortiumMember* c = out.add_members();
    c->set_supplier_id(s.id());
    c->set_supplier_name(s.name());
    c->set_country(s.country());
    c->set_entity_type(s.entity_type());
    c->set_control_group(g.group_keys[p.members[m].group]);
    c->set_required(std::find(g.required.begin(), g.required.end(), m) !=
                    g.required.end());
    c->set_eligible_through_guarantees(
        s.third_country_control() ==
        v1::THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES);
    c->set_score(member_score[m]);
    if (i == 0) {
      c->set_role(v1::CONSORTIUM_ROLE_COORDINATOR);
    } else if (groups_seen.count(p.members[m].group)) {
      c->set_role(v1::CONSORTIUM_ROLE_AFFILIATED_ENTITY);
    } else {
      c->set_role(v1::CONSORTIUM_ROLE_BENEFICIARY);
    }
    groups_seen.insert(p.members[m].group);
    for (size_t w = 0; w < x.assignment.size(); ++w) {
      if (x.assignment[w] != m) continue;
      v1::WorkPackageAssignment* a = c->add_work_packages();
      a->set_work_package_id(call.work_packages(w).id());
      a->set_work_package_title(call.work_packages(w).title());
      *a->mutable_match() = g.matches[w].at(m);
    }
  }
  *out.mutable_funding_rate_increase() = FundingRate(g, x);
  AddRuleOutcomes(index, rules, g, x, &out);
  AddLeftOut(index, call, g, all, which, &out);
  out.set_rationale(absl::StrFormat(
      "%d members from %d countries cover %d work packages: match scores "
      "%.3f, preferences %.3f",
      static_cast<int>(x.members.size()), out.distinct_countries(),
      static_cast<int>(x.assignment.size()), x.package_score, x.bonus));
  if (out.funding_rate_increase().applies()) {
    absl::StrAppend(out.mutable_rationale(),
                    absl::StrFormat("; funding rate +%.1f points (art. 13(3))",
                                    out.funding_rate_increase().points()));
  }
  return out;
}

// No proposal: which rules bind. A rule binds when dropping it alone lets
// the search find a proposal.
void ExplainNoProposal(const v1::Call& call, const v1::ConsortiumRules& r,
                       const Gathered& g, int candidates,
                       v1::ConsortiumResponse* out) {
  const SearchProblem& p = g.problem;
  std::vector<v1::RuleOutcome> binding;
  for (size_t w = 0; w < p.packages.size(); ++w) {
    if (p.packages[w].empty()) {
      const v1::WorkPackage& wp = call.work_packages(w);
      binding.push_back(Outcome(
          "coverage", false,
          absl::StrCat("no eligible supplier matches work package ", wp.id(),
                       wp.title().empty() ? "" : " (" + wp.title() + ")")));
    }
  }
  if (binding.empty()) {
    std::vector<int> all_members(p.members.size());
    for (size_t i = 0; i < all_members.size(); ++i) all_members[i] = i;
    const std::vector<int> countries = CountriesOf(g, all_members);
    if (Distinct(countries) < r.min_distinct_countries()) {
      binding.push_back(Outcome(
          "min_distinct_countries", false,
          absl::StrCat("the candidates of the work packages come from only ",
                       Distinct(countries), " eligible countries (",
                       Names(countries, g.country_names), "); the call needs ",
                       r.min_distinct_countries())));
    }
  }
  if (binding.empty()) {
    const std::pair<const char*, std::string> rules[] = {
        {"min_members", absl::StrCat("at least ", r.min_members(), " members")},
        {"max_members", absl::StrCat("at most ", r.max_members(), " members")},
        {"min_distinct_countries",
         absl::StrCat("members from at least ", r.min_distinct_countries(),
                      " countries")},
        {"independence",
         absl::StrCat(r.min_independent_members(),
                      " members in distinct control groups across ",
                      r.min_independent_countries(), " countries")}};
    for (const auto& [name, words] : rules) {
      SearchProblem relaxed = p;
      internal::SearchRules& rr = relaxed.rules;
      const std::string rule = name;
      if (rule == "min_members") rr.min_members = 0;
      if (rule == "max_members") rr.max_members = 0;
      if (rule == "min_distinct_countries") rr.min_countries = 0;
      if (rule == "independence") rr.min_independent = 0;
      if (relaxed.rules.min_members == p.rules.min_members &&
          relaxed.rules.max_members == p.rules.max_members &&
          relaxed.rules.min_countries == p.rules.min_countries &&
          relaxed.rules.min_independent == p.rules.min_independent) {
        continue;  // Not a rule of this call.
      }
      if (!internal::SearchProposals(relaxed, 1, nullptr).empty()) {
        binding.push_back(
            Outcome(rule, false,
                    absl::StrCat("no combination of the best ", candidates,
                                 " candidates per work package has ", words,
                                 " while meeting the other rules")));
      }
    }
  }
  if (binding.empty()) {
    binding.push_back(Outcome(
        "rules", false,
        absl::StrCat("no combination of the best ", candidates,
                     " candidates per work package meets the rules together")));
  }
  out->set_no_proposal_reason(
      absl::StrCat("no eligible consortium: ", binding[0].reason()));
  for (v1::RuleOutcome& o : binding) *out->add_binding_rules() = std::move(o);
}

}  // namespace

ConsortiumBuilder::ConsortiumBuilder(std::shared_ptr<const SupplierIndex> index)
    : index_(index), matcher_(index), validator_(index->options()) {}

v1::MatchRequest ConsortiumBuilder::PackageRequest(const v1::Call& call,
                                                   int package, int top_k) {
  const v1::WorkPackage& wp = call.work_packages(package);
  const v1::ConsortiumRules rules = internal::EffectiveRules(call.rules());
  v1::MatchRequest r;
  r.set_request_id(absl::StrCat(call.id(), "/", wp.id()));
  v1::Tender* t = r.mutable_tender();
  t->set_id(r.request_id());
  t->set_title(wp.title().empty() ? call.title() : wp.title());
  t->set_description(wp.description());
  t->set_language(call.language());
  *t->mutable_buyer() = call.buyer();
  if (rules.action_type() != v1::ACTION_TYPE_UNSPECIFIED) {
    t->set_legal_basis(v1::LEGAL_BASIS_EDF_REGULATION_2021_697);
  }
  t->set_procedure(v1::PROCEDURE_TYPE_CALL_FOR_PROPOSALS);
  t->set_notice_kind(v1::NOTICE_KIND_FUNDING_CALL);
  for (int i = 0; i < wp.cpv_codes_size(); ++i) {
    if (i == 0) {
      t->set_main_cpv(wp.cpv_codes(i));
    } else {
      t->add_additional_cpv(wp.cpv_codes(i));
    }
  }
  *t->mutable_requirements() = call.requirements();
  t->mutable_requirements()->MergeFrom(wp.requirements());
  if (rules.eligible_countries_size() > 0 || rules.no_third_country_control()) {
    v1::Requirement* q = t->add_requirements();
    q->set_id(internal::kEligibilityRequirementId);
    q->set_importance(v1::IMPORTANCE_MANDATORY);
    q->set_description(
        "Eligible entity: established, with executive management, in an "
        "eligible country; not controlled from a non-associated third "
        "country unless guarantees are given (Reg. 2021/697 art. 9)");
    v1::EstablishmentRequirement* e = q->mutable_establishment();
    *e->mutable_allowed_countries() = rules.eligible_countries();
    e->set_executive_management_in_allowed_country(
        rules.eligible_countries_size() > 0);
    e->set_no_third_country_control(rules.no_third_country_control());
    e->set_accept_guarantees(true);
  }
  if (wp.min_technology_readiness() > 0) {
    v1::Requirement* q = t->add_requirements();
    q->set_id(internal::kTechnologyReadinessRequirementId);
    q->set_importance(v1::IMPORTANCE_MANDATORY);
    q->set_description(absl::StrCat("Technology readiness level ",
                                    wp.min_technology_readiness(),
                                    " or more for the work package"));
    q->mutable_technology_readiness()->set_min_level(
        wp.min_technology_readiness());
    *q->mutable_technology_readiness()->mutable_cpv_codes() = wp.cpv_codes();
  }
  v1::MatchOptions* o = r.mutable_options();
  o->set_top_k(top_k);
  *o->mutable_wanted_tags() = wp.keywords();
  if (call.has_published()) *o->mutable_as_of() = call.published();
  return r;
}

absl::StatusOr<v1::ConsortiumResponse> ConsortiumBuilder::Propose(
    const v1::ConsortiumRequest& request) const {
  absl::Status valid = validator_.ValidateConsortiumRequest(request);
  if (!valid.ok()) return valid;
  const v1::Call& call = request.call();
  const v1::ConsortiumRules rules = internal::EffectiveRules(call.rules());
  const int candidates = request.candidates_per_work_package() > 0
                             ? request.candidates_per_work_package()
                             : kDefaultCandidates;
  const int proposals =
      request.max_proposals() > 0 ? request.max_proposals() : kDefaultProposals;
  v1::ConsortiumResponse response;
  response.set_request_id(request.request_id());
  response.set_call_id(call.id());

  Gathered g;
  internal::SearchRules& sr = g.problem.rules;
  sr.min_members = rules.min_members();
  sr.max_members = rules.max_members();
  sr.min_countries = rules.min_distinct_countries();
  sr.min_independent = rules.min_independent_members();
  sr.min_independent_countries = rules.min_independent_countries();
  sr.sme_weight = rules.preferences().sme_weight();
  sr.national_weight = rules.preferences().national_weight();
  sr.funding_rate_applies = rules.action_type() == v1::ACTION_TYPE_DEVELOPMENT;
  sr.funding_rate_weight = call.funding_rate().weight_per_point();
  sr.pesco_points =
      call.funding_rate().pesco_project() ? internal::kPescoPoints : 0;

  std::vector<std::string> required_ids(request.required_supplier_ids().begin(),
                                        request.required_supplier_ids().end());
  for (const std::string& id : rules.required_supplier_ids()) {
    if (std::find(required_ids.begin(), required_ids.end(), id) ==
        required_ids.end()) {
      required_ids.push_back(id);
    }
  }
  std::vector<v1::RuleOutcome> ineligible_required;
  for (const std::string& id : required_ids) {
    const int doc = index_->FindDoc(id);
    if (doc < 0) {
      return absl::NotFoundError(absl::StrCat(
          "consortium request \"", request.request_id(),
          "\": required supplier \"", id, "\" is not in the index"));
    }
    const std::string why = Ineligibility(g.Profile(*index_, doc), rules);
    if (!why.empty()) {
      ineligible_required.push_back(
          Outcome("eligibility", false,
                  absl::StrCat("required member ", index_->name(doc), " (", id,
                               ") is not eligible: ", why)));
    }
    g.required.push_back(MemberOf(*index_, rules, doc, &g));
  }
  g.problem.required = g.required;

  for (int w = 0; w < call.work_packages_size(); ++w) {
    const v1::MatchRequest match_request = PackageRequest(call, w, candidates);
    absl::StatusOr<v1::MatchResponse> matched = matcher_.Match(match_request);
    if (!matched.ok()) return matched.status();
    g.matches.emplace_back();
    auto& list = g.problem.packages.emplace_back();
    auto take = [&](int doc, const v1::SupplierMatch& m) {
      if (!Ineligibility(g.Profile(*index_, doc), rules).empty()) return;
      const int member = MemberOf(*index_, rules, doc, &g);
      if (g.matches[w].contains(member)) return;
      g.matches[w][member] = m;
      list.emplace_back(member, m.score());
    };
    for (const v1::SupplierMatch& m : matched->matches()) {
      take(index_->FindDoc(m.supplier_id()), m);
    }
    for (int member : g.required) {
      if (g.matches[w].contains(member)) continue;
      absl::StatusOr<v1::MatchResponse> explained =
          matcher_.Explain(match_request, index_->id(g.docs[member]));
      if (explained.ok() && explained->matches_size() > 0) {
        take(g.docs[member], explained->matches(0));
      }
    }
    // A required member keeps the packages it covers -- matches at least
    // kCoverShare of the package's best score -- and the partners are
    // sought for the others ("partners for me").
    double best = 0;
    for (const auto& c : list) best = std::max(best, c.second);
    const auto not_covering = [&](const std::pair<int, double>& c) {
      return c.second < kCoverShare * best ||
             std::find(g.required.begin(), g.required.end(), c.first) ==
                 g.required.end();
    };
    if (!std::all_of(list.begin(), list.end(), not_covering)) {
      list.erase(std::remove_if(list.begin(), list.end(), not_covering),
                 list.end());
    }
    std::stable_sort(list.begin(), list.end(),
                     [&](const auto& a, const auto& b) {
                       if (a.second != b.second) return a.second > b.second;
                       return g.problem.members[a.first].id_rank <
                              g.problem.members[b.first].id_rank;
                     });
    response.add_candidates_per_work_package(static_cast<int>(list.size()));
  }

  if (!ineligible_required.empty()) {
    response.set_no_proposal_reason(absl::StrCat(
        "no eligible consortium: ", ineligible_required[0].reason()));
    for (auto& o : ineligible_required) *response.add_binding_rules() = o;
    return response;
  }
  int64_t nodes = 0;
  const std::vector<SearchProposal> found =
      internal::SearchProposals(g.problem, proposals, &nodes);
  response.set_search_nodes(nodes);
  if (found.empty()) {
    ExplainNoProposal(call, rules, g, candidates, &response);
    return response;
  }
  for (size_t i = 0; i < found.size(); ++i) {
    *response.add_proposals() =
        Describe(*index_, call, rules, g, found, static_cast<int>(i));
  }
  return response;
}

}  // namespace procmatch
