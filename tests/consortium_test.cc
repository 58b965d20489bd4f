#include "procmatch/consortium.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/internal/consortium_search.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace {

using internal::SearchProblem;
using internal::SearchProposal;
using ::testing::HasSubstr;

// Random search problems small enough for the brute force: 1-4 packages,
// 1-6 candidates each out of 3-9 members, scores on a 0.05 grid so that
// ties are common, shared control groups, and random rules.
SearchProblem RandomProblem(std::mt19937* rng) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(*rng);
  };
  SearchProblem p;
  const int members = pick(3, 9);
  std::vector<int> ranks(members);
  for (int i = 0; i < members; ++i) ranks[i] = i * 3;
  std::shuffle(ranks.begin(), ranks.end(), *rng);
  for (int i = 0; i < members; ++i) {
    internal::SearchMember m;
    m.id_rank = ranks[i];
    m.country = pick(0, 3);
    m.group = pick(0, members - 1);
    const int type = pick(0, 3);  // SME, mid-cap, or two kinds of other.
    m.sme = type == 0;
    m.mid_cap = type == 1;
    m.national = m.country == 0;
    p.members.push_back(m);
  }
  const int packages = pick(1, 4);
  for (int w = 0; w < packages; ++w) {
    std::vector<int> pool(members);
    for (int i = 0; i < members; ++i) pool[i] = i;
    std::shuffle(pool.begin(), pool.end(), *rng);
    auto& list = p.packages.emplace_back();
    for (int i = 0, n = pick(1, std::min(6, members)); i < n; ++i) {
      list.emplace_back(pool[i], pick(1, 20) * 0.05);
    }
    std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return p.members[a.first].id_rank < p.members[b.first].id_rank;
    });
  }
  if (pick(0, 3) == 0) p.required.push_back(pick(0, members - 1));
  internal::SearchRules& r = p.rules;
  r.min_members = pick(0, 4);
  r.max_members = pick(0, 1) ? 0 : pick(2, 5);
  r.min_countries = pick(0, 3);
  r.min_independent = pick(0, 3);
  r.min_independent_countries = pick(0, std::min(2, r.min_independent));
  r.sme_weight = pick(0, 4) * 0.05;
  r.national_weight = pick(0, 4) * 0.05;
  // The art. 13(3) increase in half the problems, weighed so that its
  // points (0-35) compete with the package scores.
  r.funding_rate_applies = pick(0, 1);
  r.funding_rate_weight = pick(0, 3) * 0.01;
  r.pesco_points = pick(0, 3) == 0 ? internal::kPescoPoints : 0;
  return p;
}

TEST(ConsortiumSearchTest, BranchAndBoundEqualsBruteForce) {
  std::mt19937 rng(20261129);
  int with_proposals = 0, without = 0, pruned = 0;
  int funding_earned = 0, funding_ranked = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const SearchProblem p = RandomProblem(&rng);
    const int n = 1 + trial % 6;
    int64_t nodes = 0;
    const std::vector<SearchProposal> fast =
        internal::SearchProposals(p, n, &nodes);
    const std::vector<SearchProposal> slow = internal::EnumerateProposals(p, n);
    ASSERT_EQ(fast.size(), slow.size()) << "trial " << trial;
    for (size_t i = 0; i < fast.size(); ++i) {
      EXPECT_EQ(fast[i].members, slow[i].members) << "trial " << trial;
      EXPECT_EQ(fast[i].assignment, slow[i].assignment) << "trial " << trial;
      EXPECT_EQ(fast[i].score, slow[i].score) << "trial " << trial;
    }
    (fast.empty() ? without : with_proposals)++;
    if (!fast.empty() && p.rules.funding_rate_weight > 0 &&
        internal::FundingRateOf(p, fast[0].members).points > 0) {
      ++funding_earned;
    }
    // The increase decided the order: the best proposal would not be first
    // on match scores and the other preferences alone.
    for (size_t i = 1; i < fast.size(); ++i) {
      const double funding = p.rules.funding_rate_weight *
                             internal::FundingRateOf(p, fast[0].members).points;
      const double other = p.rules.funding_rate_weight *
                           internal::FundingRateOf(p, fast[i].members).points;
      if (fast[0].score - funding < fast[i].score - other) {
        ++funding_ranked;
        break;
      }
    }
    int64_t leaves = 1;
    for (const auto& c : p.packages) leaves *= c.size();
    if (nodes < leaves) ++pruned;
  }
  // Both outcomes and real pruning occur, so the comparison means something.
  EXPECT_GT(with_proposals, 500);
  EXPECT_GT(without, 200);
  EXPECT_GT(pruned, 500);
  // The funding-rate increase counts in many, and decides the order in some.
  EXPECT_GT(funding_earned, 300);
  EXPECT_GT(funding_ranked, 25);
}

// Art. 13(3) on member sets worked out by hand. Members: 0 large DE,
// 1 SME DE, 2 SME FR, 3 mid-cap NL, 4 SME PL, 5 university DE.
TEST(ConsortiumSearchTest, FundingRateIncreaseFollowsArticle13) {
  SearchProblem p;
  const int DE = 0, FR = 1, NL = 2, PL = 3;
  p.members = {
      {0, DE, 0, false, false, false}, {1, DE, 1, true, false, false},
      {2, FR, 2, true, false, false},  {3, NL, 3, false, false, true},
      {4, PL, 4, true, false, false},  {5, DE, 5, false, false, false}};
  p.rules.funding_rate_applies = true;
  // One domestic SME of three members: 33.3 % capped at 5 points.
  internal::FundingRateIncrease f = internal::FundingRateOf(p, {0, 1, 5});
  EXPECT_EQ(f.domestic_smes, 1);
  EXPECT_EQ(f.cross_border_smes, 0);
  EXPECT_DOUBLE_EQ(f.sme_points, 5);
  EXPECT_DOUBLE_EQ(f.points, 5);
  // A cross-border SME counts twice: 1/4 = 25 % -> 50 points, plus 5 for the
  // domestic one; the mid-cap (25 % >= 15 %) adds 10; capped at 35.
  f = internal::FundingRateOf(p, {0, 1, 2, 3});
  EXPECT_EQ(f.domestic_smes, 1);
  EXPECT_EQ(f.cross_border_smes, 1);
  EXPECT_DOUBLE_EQ(f.sme_points, 5 + 50);
  EXPECT_DOUBLE_EQ(f.mid_cap_points, 10);
  EXPECT_DOUBLE_EQ(f.points, internal::kMaxIncreasePoints);
  // The mid-cap is a non-SME member: the SME in its country is domestic.
  p.members[4].country = NL;
  f = internal::FundingRateOf(p, {0, 3, 4});
  EXPECT_EQ(f.domestic_smes, 1);
  EXPECT_DOUBLE_EQ(f.sme_points, 5);
  EXPECT_DOUBLE_EQ(f.points, 5 + 10);
  // Only SMEs: no non-SME country, so every SME is cross-border.
  f = internal::FundingRateOf(p, {1, 2});
  EXPECT_EQ(f.cross_border_smes, 2);
  EXPECT_DOUBLE_EQ(f.points, internal::kMaxIncreasePoints);
  // No SME: nothing for SMEs; PESCO adds 10 points to any set.
  p.rules.pesco_points = internal::kPescoPoints;
  f = internal::FundingRateOf(p, {0, 5});
  EXPECT_DOUBLE_EQ(f.sme_points, 0);
  EXPECT_DOUBLE_EQ(f.points, 10);
  // Not a development action: nothing.
  p.rules.funding_rate_applies = false;
  EXPECT_DOUBLE_EQ(internal::FundingRateOf(p, {0, 1, 2, 3}).points, 0);
}

// The thresholds are "at least": exactly 10 % SMEs and 15 % mid-caps
// qualify, just below does not.
TEST(ConsortiumSearchTest, FundingRateThresholdsAreInclusive) {
  EXPECT_GT(internal::FundingRateIncreaseOf(10, 1, 1, 0, 0, 0).sme_points, 0);
  EXPECT_EQ(internal::FundingRateIncreaseOf(11, 1, 1, 0, 0, 0).sme_points, 0);
  EXPECT_EQ(internal::FundingRateIncreaseOf(20, 0, 0, 0, 3, 0).mid_cap_points,
            internal::kMidCapPoints);
  EXPECT_EQ(internal::FundingRateIncreaseOf(21, 0, 0, 0, 3, 0).mid_cap_points,
            0);
}

TEST(ConsortiumSearchTest, IndependenceCountsControlGroupsAcrossCountries) {
  SearchProblem p;
  // Two subsidiaries of one group in NL (country 0) and FR (1), one
  // independent in DE (2).
  p.members = {{0, 0, 0, false, false},
               {1, 1, 0, false, false},
               {2, 2, 1, false, false}};
  p.rules.min_independent = 3;
  p.rules.min_independent_countries = 2;
  EXPECT_EQ(internal::FirstUnmetRule(p, {0, 1, 2}), "independence");
  p.members[1].group = 2;
  EXPECT_EQ(internal::FirstUnmetRule(p, {0, 1, 2}), "");
  // Three groups, all in one country: fails the two-country part.
  for (auto& m : p.members) m.country = 0;
  EXPECT_EQ(internal::FirstUnmetRule(p, {0, 1, 2}), "independence");
}

// A partner profile for the builder tests: established, not controlled
// from a third country, offering `cpv` with a text that says so.
v1::SupplierProfile Partner(const std::string& id, const std::string& name,
                            const std::string& country, const std::string& cpv,
                            const std::string& text, v1::EntityType type) {
  v1::SupplierProfile s;
  s.set_id(id);
  s.set_name(name);
  s.set_country(country);
  s.set_executive_management_country(country);
  s.set_third_country_control(v1::THIRD_COUNTRY_CONTROL_NOT_CONTROLLED);
  s.set_entity_type(type);
  s.add_cpv_codes(cpv);
  s.set_description(text);
  s.set_description_language("en");
  v1::Capability* c = s.add_capabilities();
  c->set_description(text);
  c->set_language("en");
  c->add_cpv_codes(cpv);
  c->set_technology_readiness(6);
  return s;
}

std::shared_ptr<const SupplierIndex> Index(
    const std::vector<v1::SupplierProfile>& profiles) {
  SupplierIndex::Builder builder;
  for (const auto& p : profiles) EXPECT_TRUE(builder.Add(p).ok()) << p.id();
  return *std::move(builder).Build();
}

// Counter-drone call: detection radar, jamming, command and control.
v1::ConsortiumRequest CounterDroneRequest() {
  v1::ConsortiumRequest r;
  r.set_request_id("EDF-2026-C-UAS");
  v1::Call* call = r.mutable_call();
  call->set_id("EDF-2026-C-UAS");
  call->set_title("Counter-drone systems");
  call->set_language("en");
  call->mutable_rules()->set_action_type(v1::ACTION_TYPE_DEVELOPMENT);
  call->mutable_rules()->set_max_members(5);
  const char* packages[][3] = {
      {"WP1", "Drone detection radar", "35720000"},
      {"WP2", "Radio frequency jamming of drones", "32000000"},
      {"WP3", "Command and control software", "48000000"}};
  for (const auto& [id, title, cpv] : packages) {
    v1::WorkPackage* wp = call->add_work_packages();
    wp->set_id(id);
    wp->set_title(title);
    wp->set_description(title);
    wp->add_cpv_codes(cpv);
  }
  return r;
}

std::vector<v1::SupplierProfile> CounterDronePartners() {
  auto s = [](auto... a) { return Partner(a...); };
  std::vector<v1::SupplierProfile> out = {
      s("NL-RADAR", "Delft Radar Systems BV", "NL", "35720000",
        "Drone detection radar and surveillance radar", v1::ENTITY_TYPE_SME),
      s("NL-RADAR-2", "Delft Radar Services BV", "NL", "35720000",
        "Drone detection radar maintenance", v1::ENTITY_TYPE_SME),
      s("FR-JAM", "Brouilleurs de Bretagne SAS", "FR", "32000000",
        "Radio frequency jamming of drones", v1::ENTITY_TYPE_MID_CAP),
      s("DE-C2", "Kommandosoft GmbH", "DE", "48000000",
        "Command and control software for air defence",
        v1::ENTITY_TYPE_LARGE_ENTERPRISE),
      s("US-RADAR", "Atlantic Radar Inc Europe BV", "NL", "35720000",
        "Drone detection radar", v1::ENTITY_TYPE_LARGE_ENTERPRISE)};
  // The two Delft companies share a parent; the Atlantic one is controlled
  // from a third country without guarantees.
  out[0].mutable_ownership()->set_parent_id("NL-DELFT-HOLDING");
  out[1].mutable_ownership()->set_parent_id("NL-DELFT-HOLDING");
  out[4].set_third_country_control(v1::THIRD_COUNTRY_CONTROL_CONTROLLED);
  return out;
}

TEST(ConsortiumBuilderTest, ProposesEligibleIndependentPartners) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  absl::StatusOr<v1::ConsortiumResponse> r =
      builder.Propose(CounterDroneRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
  const v1::ConsortiumProposal& best = r->proposals(0);
  EXPECT_EQ(best.distinct_countries(), 3);
  std::set<std::string> ids;
  for (const auto& m : best.members()) {
    ids.insert(m.supplier_id());
    for (const auto& wp : m.work_packages()) {
      EXPECT_EQ(wp.match().supplier_id(), m.supplier_id());
      EXPECT_GT(wp.match().score(), 0);
    }
  }
  EXPECT_FALSE(ids.count("US-RADAR"));
  EXPECT_TRUE(ids.count("FR-JAM"));
  EXPECT_TRUE(ids.count("DE-C2"));
  EXPECT_EQ(best.members(0).role(), v1::CONSORTIUM_ROLE_COORDINATOR);
  for (const auto& rule : best.rules()) EXPECT_TRUE(rule.met()) << rule.rule();
  bool independence = false;
  for (const auto& rule : best.rules()) {
    independence |= rule.rule() == "independence";
  }
  EXPECT_TRUE(independence);
  // The eligible partners with some evidence for the radar package are
  // candidates: the radar firms, the drone jammer by text and the C2
  // software house by the CPV concepts of its description (the same
  // defence division as the package's codes); the one controlled from a
  // third country is not eligible.
  EXPECT_EQ(r->candidates_per_work_package(0), 4);
}

TEST(ConsortiumBuilderTest, PartnersForMeIncludeTheCompanyAsCoordinator) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.add_required_supplier_ids("NL-RADAR-2");
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
  for (const auto& p : r->proposals()) {
    EXPECT_EQ(p.members(0).supplier_id(), "NL-RADAR-2");
    EXPECT_TRUE(p.members(0).required());
    // Its sister company shares its control group: at most one of them
    // counts, so DE and FR must both be in.
    EXPECT_EQ(p.distinct_countries(), 3);
  }
}

TEST(ConsortiumBuilderTest, NoConsortiumNamesTheBindingRule) {
  std::vector<v1::SupplierProfile> partners = CounterDronePartners();
  partners[3].set_country("NL");  // The C2 maker moves to the Netherlands.
  partners[3].set_executive_management_country("NL");
  ConsortiumBuilder builder(Index(partners));
  absl::StatusOr<v1::ConsortiumResponse> r =
      builder.Propose(CounterDroneRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->proposals_size(), 0);
  EXPECT_THAT(r->no_proposal_reason(),
              HasSubstr("no eligible consortium: the candidates of the work "
                        "packages come from only 2 eligible countries (FR, "
                        "NL); the call needs 3"));
  ASSERT_GE(r->binding_rules_size(), 1);
  EXPECT_EQ(r->binding_rules(0).rule(), "min_distinct_countries");
}

// Control is followed through the index: the Delft companies' holding is
// itself controlled by the French jammer maker, so all three are one group
// ("controlled, directly or indirectly, by the same entity", art. 10(4))
// and only two independent groups remain.
TEST(ConsortiumBuilderTest, IndirectControlJoinsTheControlGroup) {
  std::vector<v1::SupplierProfile> partners = CounterDronePartners();
  partners.push_back(Partner("NL-DELFT-HOLDING", "Delft Holding NV", "NL",
                             "66000000", "Financial holding",
                             v1::ENTITY_TYPE_LARGE_ENTERPRISE));
  partners.back().mutable_ownership()->set_parent_id("FR-JAM");
  ConsortiumBuilder builder(Index(partners));
  absl::StatusOr<v1::ConsortiumResponse> r =
      builder.Propose(CounterDroneRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->proposals_size(), 0);
  ASSERT_GE(r->binding_rules_size(), 1);
  EXPECT_EQ(r->binding_rules(0).rule(), "independence");
  // Without the holding's link the Delft companies are independent again.
  partners.back().clear_ownership();
  r = ConsortiumBuilder(Index(partners)).Propose(CounterDroneRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
}

TEST(ConsortiumBuilderTest, FundingRatePreferenceNeedsADevelopmentAction) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.mutable_call()->mutable_rules()->set_action_type(
      v1::ACTION_TYPE_RESEARCH);
  request.mutable_call()->mutable_funding_rate()->set_pesco_project(true);
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("call.funding_rate.pesco_project: is set but the "
                        "PESCO increase (art. 13(3)(a)) applies to "
                        "development actions only"));
  request.mutable_call()->mutable_rules()->set_action_type(
      v1::ACTION_TYPE_DEVELOPMENT);
  request.mutable_call()->mutable_funding_rate()->set_weight_per_point(-1);
  r = builder.Propose(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("call.funding_rate.weight_per_point"));
}

TEST(ConsortiumBuilderTest, IneligibleOrUnknownRequiredMember) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.add_required_supplier_ids("US-RADAR");
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->proposals_size(), 0);
  EXPECT_THAT(r->no_proposal_reason(),
              HasSubstr("required member Atlantic Radar Inc Europe BV "
                        "(US-RADAR) is not eligible: controlled from a "
                        "non-associated third country"));
  request.set_required_supplier_ids(0, "BE-0000000097");
  EXPECT_EQ(builder.Propose(request).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ConsortiumBuilderTest, InvalidRequestIsRefused) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.mutable_call()->mutable_rules()->set_max_members(2);
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("call.rules.min_members: 3 is more than max_members "
                        "2"));
}

template <typename M>
std::vector<M> ReadSample(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  std::vector<M> out;
  ReadRecords<M>(
      path, content.value_or(""), RecordFormat::kJsonLines,
      [&](int, M m) { out.push_back(std::move(m)); },
      [](absl::Status s) { ADD_FAILURE() << s; })
      .IgnoreError();
  return out;
}

// The bundled EDF-style call (data/sample/edf_call.jsonl) and its fictional
// partners: an eligible consortium exists, covers all six packages, leaves
// out the entities that are not eligible, and flags the one eligible
// through guarantees when it is chosen.
TEST(ConsortiumBuilderTest, BundledCallYieldsAnEligibleProposal) {
  const auto partners =
      ReadSample<v1::SupplierProfile>("data/sample/partners.jsonl");
  const auto calls = ReadSample<v1::Call>("data/sample/edf_call.jsonl");
  ASSERT_EQ(partners.size(), 22u);
  ASSERT_EQ(calls.size(), 1u);
  ConsortiumBuilder builder(Index(partners));
  v1::ConsortiumRequest request;
  request.set_request_id("sample");
  *request.mutable_call() = calls[0];
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->proposals_size(), 5) << r->no_proposal_reason();
  for (const v1::ConsortiumProposal& p : r->proposals()) {
    int packages = 0;
    for (const auto& m : p.members()) {
      packages += m.work_packages_size();
      EXPECT_NE(m.country(), "US");
      EXPECT_NE(m.country(), "GB");
      EXPECT_NE(m.supplier_id(), "NL-ORION-OPTICS");
      if (m.supplier_id() == "DE-FALKE-DROHNEN") {
        EXPECT_TRUE(m.eligible_through_guarantees());
      }
    }
    EXPECT_EQ(packages, 6);
    EXPECT_GE(p.distinct_countries(), 3);
    bool funding_rule = false;
    for (const auto& rule : p.rules()) {
      EXPECT_TRUE(rule.met()) << rule.rule();
      funding_rule |= rule.rule() == "funding_rate_increase";
    }
    EXPECT_TRUE(funding_rule);
    // The increase, recounted from the members: SMEs in a country of a
    // non-SME member, and the others.
    const v1::FundingRateIncrease& f = p.funding_rate_increase();
    EXPECT_TRUE(f.applies());
    std::set<std::string> non_sme_countries;
    for (const auto& m : p.members()) {
      if (m.entity_type() != v1::ENTITY_TYPE_SME &&
          m.entity_type() != v1::ENTITY_TYPE_MICRO_ENTERPRISE) {
        non_sme_countries.insert(m.country());
      }
    }
    int domestic = 0, cross_border = 0;
    for (const auto& m : p.members()) {
      if (m.entity_type() == v1::ENTITY_TYPE_SME ||
          m.entity_type() == v1::ENTITY_TYPE_MICRO_ENTERPRISE) {
        (non_sme_countries.count(m.country()) ? domestic : cross_border)++;
      }
    }
    EXPECT_EQ(f.domestic_smes(), domestic);
    EXPECT_EQ(f.cross_border_smes(), cross_border);
    EXPECT_LE(f.points(), 35);
    EXPECT_NEAR(f.score(),
                calls[0].funding_rate().weight_per_point() * f.points(), 1e-12);
    EXPECT_NEAR(p.preference_bonus(), f.score(), 1e-12);
    EXPECT_NEAR(p.score(), p.work_package_score() + p.preference_bonus(),
                1e-12);
  }
  for (int i = 1; i < r->proposals_size(); ++i) {
    EXPECT_LE(r->proposals(i).score(), r->proposals(i - 1).score());
  }

  // Partners for the Norwegian radar maker: it coordinates and keeps the
  // radar package (and any other it covers: doc/consortium.md, "Partners for
  // me"); partners take the rest.
  request.add_required_supplier_ids("NO-FJORD-RADAR");
  r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
  const v1::ConsortiumMember& coordinator = r->proposals(0).members(0);
  EXPECT_EQ(coordinator.supplier_id(), "NO-FJORD-RADAR");
  ASSERT_GE(coordinator.work_packages_size(), 1);
  EXPECT_EQ(coordinator.work_packages(0).work_package_id(), "WP1");
  EXPECT_LT(coordinator.work_packages_size(), 6);
  EXPECT_GE(r->proposals(0).members_size(), 3);
}

}  // namespace
}  // namespace procmatch
