// File: lib/track_record.h
//
// Turns award history into supplier profiles: one profile per real economic
// operator, with a past contract for every award it won. Award notices come
// in as procmatch.v1.Tender records with `awards` (from the TED and eForms
// importers, or the reduced TED JSON).
//
// The same company is spelled many ways ("Oy IBM Finland Ab" and "IBM
// Finland Oy"; "IBM ITALIA S.p.A." and "IBM Italia SpA"). Names are resolved
// conservatively, because a wrong merge is worse than a missed one: two
// winners are one supplier only when they are in the same country and their
// names are equal after case and accent folding, dropping punctuation
// (typographic quotes „…“, «…», “…”, ‚…‘ included), and removing legal-form
// words (SA, NV, GmbH, Oy, sp. z o.o., ЕООД...) at the start and end of the
// name, spaced or not ("S. A.", "sp. z o. o.", "s. r. o.", "Co.KG": a run of
// words of at most 4 letters spelling a form). Word order and every other
// word count, with three exceptions that name no other company: a joint
// bid's label at the start ("Konsorcjum:", "Lider konsorcjum –", "Κ/Ξ:",
// "ДЗЗД"), and, after a legal form, a separator (comma, colon, semicolon,
// parenthesis, spaced dash) or the winner's own town and what follows it, a
// branch, town or role ("DB Regio AG, Regio Nordost", "Vetrea Terveys Oy
// Joensuu", "IMPEL SAFETY Sp. z o.o. (Partner)"), unless that part ends
// with a legal form itself (a second member or a former name). Winners of
// one country that carry the same national registration number
// (Awardee.identifier, e.g. TED's NATIONALID; compared on its letters and
// digits, a leading country prefix dropped) are one supplier whatever their
// names. Every spelling is kept, and Merges() lists the groups of more than
// one for a person to check.
//
// Example:
//
//   procmatch::TrackRecordBuilder records;
//   for (const procmatch::v1::Tender& notice : award_notices) {
//     records.AddAwards(notice);
//   }
//   std::vector<procmatch::v1::SupplierProfile> suppliers = records.Build();
//
// Threading: a TrackRecordBuilder is not thread-safe.
#ifndef PROCMATCH_LIB_TRACK_RECORD_H_
#define PROCMATCH_LIB_TRACK_RECORD_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {

// The resolution key of a company name, without the country: "Oy IBM
// Finland Ab" -> "ibm finland". A name that is nothing but legal-form words
// keeps them. `town`, the company's town when known, ends the name where it
// follows a legal form ("Vetrea Terveys Oy Joensuu", town "Joensuu" ->
// "vetrea terveys"). `country` (ISO 3166-1), when known, limits the legal
// forms taken from the start of a name to that country's ("AS Tallinna
// Vesi" in Estonia, "Oy IBM Finland Ab" in Finland, "SA Aubonnet et Fils"
// in France): "AS Formation" in France keeps its "as", an Estonian and
// Latvian form. With no country, any legal form may lead.
std::string CompanyNameKey(absl::string_view name, absl::string_view town = "",
                           absl::string_view country = "");

// The id TrackRecordBuilder::Build() gives the supplier of this winner, or
// "" for a winner without a usable name.
std::string TrackRecordSupplierId(const v1::Awardee& winner);

// A group of spellings resolved to one supplier.
struct SupplierMerge {
  std::string supplier_id;
  std::string country;
  std::vector<std::string> spellings;  // Most frequent first.
};

class TrackRecordBuilder {
 public:
  // Adds a past contract to each winner of each award of `notice`. Awards
  // without winners are ignored, and so is a notice whose source notice id
  // was added before (the same notice from two sources, e.g. TED XML and
  // the reduced JSON): it returns false then.
  bool AddAwards(const v1::Tender& notice);

  // Notices skipped as already added.
  int duplicate_notices() const { return duplicates_; }

  // One valid profile per resolved supplier, by id: "ted:<country>:<key>"
  // (hyphens for spaces; long keys are cut and given a hash). The name is
  // the most frequent spelling, the others are alternative_names; offered
  // CPV codes are those of the contracts won. A past contract's
  // buyer_activity is its notice's Buyer.main_activity, else the activity
  // the same buyer (country and folded name) states most often in the
  // other notices added: a buyer's main activity is the buyer's, and many
  // notices leave it out.
  std::vector<v1::SupplierProfile> Build() const;

  // The groups with more than one spelling.
  std::vector<SupplierMerge> Merges() const;

  // The id Build() gives the supplier of `winner`, seen in AddAwards() or
  // not: TrackRecordSupplierId(winner), unless its registration number ties
  // it to a supplier added under another name. "" without a usable name.
  std::string SupplierIdOf(const v1::Awardee& winner) const;

  int awards() const { return awards_; }

 private:
  struct Winner {
    std::string country;
    std::map<std::string, int> spellings;  // Spelling -> times seen.
    std::map<std::string, int> towns;
    std::map<std::string, int> nuts;
    bool sme = false;
    std::vector<v1::PastContract> contracts;
  };
  // The winners by supplier id, those tied by a registration number merged
  // into the id with the most contracts (then the smallest).
  std::map<std::string, Winner> Resolved() const;
  // Name-based supplier id -> the id it is merged into, for merged ids only.
  std::map<std::string, std::string> MergedInto() const;

  std::map<std::string, Winner> winners_;  // By name-based supplier id.
  // IdentifierKey() (track_record.cc) -> name-based ids that carried it.
  std::map<std::string, std::set<std::string>> identifiers_;
  // Buyer key (BuyerKey() in track_record.cc) -> main activity -> notices.
  std::map<std::string, std::map<std::string, int>> buyer_activities_;
  std::set<std::string> notices_;  // Source notice ids added.
  int awards_ = 0;
  int duplicates_ = 0;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_TRACK_RECORD_H_
