#!/usr/bin/env python3
"""Writes data/sample/{suppliers,tenders}.jsonl: the bundled Belgian sample.

Every supplier here is FICTIONAL: invented names, invented enterprise numbers
(with valid KBO check digits so that validation passes), realistic substance
(real CPV codes, real NUTS regions, plausible sizes, certifications and
clearances). No real company is described. Tenders: two written for the
sample in the style of Belgian defence and European Defence Fund calls, and
one taken from the real TED notice 414920-2021 (Directive 2009/81/EC).
Deterministic: running it twice gives the same bytes.
"""
import json
import os
import random


def kbo(body):
    """A KBO number with valid check digits from an 8-digit body."""
    return "%08d%02d" % (body, 97 - body % 97)


def date(s):
    y, m, d = s.split("-")
    return {"year": int(y), "month": int(m), "day": int(d)}


def eur(x):
    return {"amount": x, "currency": "EUR"}


def supplier(n, name, entity, nuts, langs, employees, turnover, cpv, caps,
             certs=(), clearance=None, staff=0, contracts=(), control=1,
             description="", desc_lang="en", town=""):
    number = kbo(4000000 + n * 104729)
    s = {
        "id": "BE-" + number,
        "name": name,
        "identifiers": {"kbo": number, "vat": "BE" + number},
        "entity_type": entity,
        "country": "BE",
        "executive_management_country": "BE",
        "third_country_control": [
            "THIRD_COUNTRY_CONTROL_UNSPECIFIED",
            "THIRD_COUNTRY_CONTROL_NOT_CONTROLLED",
            "THIRD_COUNTRY_CONTROL_CONTROLLED",
            "THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES"][control],
        "nuts_code": nuts,
        "town": town,
        "languages": langs,
        "employees": employees,
        "turnover": [{"amount": eur(turnover), "year": 2025}],
        "cpv_codes": cpv,
        "capabilities": [
            {"description": d, "language": l, "cpv_codes": c, "tags": t,
             "technology_readiness": trl} for (d, l, c, t, trl) in caps],
        "certifications": [
            {"scheme": sch, "valid_until": date(until)} for sch, until in certs],
        "description": description,
        "description_language": desc_lang,
    }
    if clearance:
        level, until = clearance
        s["facility_clearances"] = [{
            "level": "CLEARANCE_LEVEL_" + level, "authority": "BE NSA",
            "framework": "NATO", "valid_until": date(until)}]
        if staff:
            s["cleared_staff"] = [{"level": "CLEARANCE_LEVEL_" + level,
                                   "count": staff}]
    s["past_contracts"] = [{
        "buyer_name": b, "buyer_country": bc, "title": t, "language": l,
        "cpv_codes": c, "value": eur(v), "award_date": date(d),
        "role": "CONTRACT_ROLE_" + role} for (b, bc, t, l, c, v, d, role)
        in contracts]
    return {k: v for k, v in s.items() if v not in ("", [], None)}


SME, LARGE, MICRO = "ENTITY_TYPE_SME", "ENTITY_TYPE_LARGE_ENTERPRISE", "ENTITY_TYPE_MICRO_ENTERPRISE"
RTO, UNI, MIDCAP = "ENTITY_TYPE_RESEARCH_ORGANISATION", "ENTITY_TYPE_UNIVERSITY", "ENTITY_TYPE_MID_CAP"
MOD_NL = "Defensie - Algemene Directie Material Resources"
MOD_FR = "Défense - Direction générale Material Resources"

SUPPLIERS = [
    supplier(1, "Kempen Avionics NV", SME, "BE213", ["nl", "en", "fr"], 85, 14.5e6,
             ["35613000", "34711200", "50660000"],
             [("Ontwerp en productie van onbemande luchtvaartuigen (drones) voor "
               "verkenning en bewaking", "nl", ["35613000"], ["uav", "isr"], 7),
              ("Onderhoud van militaire elektronische systemen", "nl",
               ["50660000"], ["mro"], 9)],
             certs=[("AQAP-2110", "2027-06-30"), ("ISO 9001", "2027-01-31")],
             clearance=("SECRET", "2028-01-31"), staff=12,
             contracts=[(MOD_NL, "BE", "Levering van mini-UAV systemen", "nl",
                         ["35613000"], 2.4e6, "2023-11-14", "PRIME")],
             description="Drone manufacturer from the Kempen", town="Geel"),
    supplier(2, "Meuse Défense Systèmes SA", LARGE, "BE332", ["fr", "en"], 1450, 410e6,
             ["35300000", "35330000", "35320000"],
             [("Conception et fabrication de munitions de moyen calibre et de "
               "systèmes d'armes", "fr", ["35300000", "35330000"],
               ["ammunition", "weapons"], 9),
              ("Munitions éclairantes et fumigènes tirées à la main", "fr",
               ["35330000"], ["pyrotechnics"], 9)],
             certs=[("AQAP 2110 Ed. D", "2026-12-31"), ("ISO 14001", "2027-03-31")],
             clearance=("SECRET", "2029-06-30"), staff=140,
             contracts=[(MOD_FR, "BE", "Munitions de 30 mm", "fr", ["35330000"],
                         38e6, "2022-05-02", "PRIME"),
                        ("Bundesamt für Ausrüstung, Informationstechnik und "
                         "Nutzung der Bundeswehr", "DE", "Signalmunition", "de",
                         ["35330000"], 6.1e6, "2024-02-20", "PRIME")],
             description="Ammunition and weapon systems", desc_lang="fr",
             town="Herstal"),
    supplier(3, "Brabant Secure Communications BV", SME, "BE241", ["nl", "en"], 120, 22e6,
             ["35710000", "32500000", "48730000"],
             [("Versleutelde tactische communicatienetwerken en C4I-systemen",
               "nl", ["35710000", "32500000"], ["c4isr", "crypto"], 8),
              ("Cybersecurity software for classified networks", "en",
               ["48730000"], ["cyber"], 8)],
             certs=[("ISO/IEC 27001", "2027-09-30"), ("AQAP-2110", "2025-03-31")],
             clearance=("CONFIDENTIAL", "2027-12-31"), staff=30,
             contracts=[(MOD_NL, "BE", "Tactische radionetwerken", "nl",
                         ["35710000"], 5.5e6, "2024-06-12", "PRIME")],
             town="Leuven"),
    supplier(4, "Hainaut Robotique SRL", MICRO, "BE323", ["fr"], 8, 0.9e6,
             ["35613000", "73410000"],
             [("Drones légers et robots terrestres pour le déminage", "fr",
               ["35613000"], ["uav", "ugv", "eod"], 5)],
             town="Mons"),
    supplier(5, "Vlaams Instituut voor Defensietechnologie", RTO, "BE234", ["nl", "en", "fr"], 310, 48e6,
             ["73410000", "73100000", "35720000"],
             [("Onderzoek naar sensorfusie, radar en ISTAR-systemen", "nl",
               ["73410000", "35720000"], ["isr", "radar", "sensors"], 4),
              ("Research on autonomous maritime drones and swarm control", "en",
               ["73410000"], ["uav", "maritime", "autonomy"], 4)],
             clearance=("SECRET", "2027-10-31"), staff=25,
             contracts=[("European Defence Agency", "BE", "Swarm autonomy study",
                         "en", ["73410000"], 1.2e6, "2022-09-01",
                         "CONSORTIUM_MEMBER")],
             town="Gent"),
    supplier(6, "Université de la Vallée Mosane", UNI, "BE331", ["fr", "en"], 4200, 350e6,
             ["73100000", "73410000", "80300000"],
             [("Recherche en matériaux énergétiques, balistique et blindage",
               "fr", ["73410000"], ["materials", "ballistics"], 3)],
             town="Liège"),
    supplier(7, "Antwerp Naval Engineering NV", MIDCAP, "BE211", ["nl", "en"], 900, 160e6,
             ["35500000", "50240000", "35513000"],
             [("Bouw en onderhoud van marineschepen en mijnenbestrijdingsvaartuigen",
               "nl", ["35500000", "50240000"], ["naval", "mro"], 9),
              ("Integration of unmanned surface vessels", "en", ["35513000"],
               ["maritime", "autonomy"], 6)],
             certs=[("AQAP-2110", "2028-02-28"), ("ISO 9001", "2027-05-31")],
             clearance=("SECRET", "2028-05-31"), staff=60,
             contracts=[(MOD_NL, "BE", "Onderhoud mijnenjagers", "nl",
                         ["50240000"], 21e6, "2021-03-15", "PRIME")],
             town="Antwerpen"),
    supplier(8, "Wavre Optronics SA", SME, "BE310", ["fr", "en", "nl"], 140, 31e6,
             ["38600000", "35720000", "38651000"],
             [("Caméras thermiques et optronique de surveillance pour drones",
               "fr", ["38600000", "35720000"], ["optronics", "isr", "uav"], 8)],
             certs=[("EN 9100", "2027-04-30"), ("AQAP2110", "2027-04-30")],
             clearance=("CONFIDENTIAL", "2026-08-31"), staff=10,
             contracts=[(MOD_FR, "BE", "Caméras thermiques pour véhicules",
                         "fr", ["38600000"], 3.3e6, "2023-01-20", "SUBCONTRACTOR")],
             town="Wavre"),
    supplier(9, "Brussels Defence Analytics SRL", SME, "BE100", ["fr", "nl", "en"], 45, 6e6,
             ["72000000", "72212000", "48730000"],
             [("Logiciels d'aide à la décision et d'analyse de données pour le "
               "commandement", "fr", ["72212000"], ["c4isr", "software", "ai"], 6)],
             certs=[("ISO 27001", "2027-11-30")],
             clearance=("RESTRICTED", "2027-02-28"), staff=6,
             town="Bruxelles"),
    supplier(10, "Limburg Drone Solutions BV", SME, "BE224", ["nl", "en"], 35, 4.2e6,
             ["35613000", "34711200", "80530000"],
             [("Drones en opleiding van dronepiloten voor veiligheidsdiensten",
               "nl", ["35613000", "80530000"], ["uav", "training"], 8)],
             certs=[("ISO 9001", "2026-10-31")],
             contracts=[("Federale Politie", "BE", "Levering van drones", "nl",
                         ["34711200"], 0.8e6, "2024-09-10", "PRIME")],
             control=3, town="Hasselt"),
    supplier(11, "Ardenne Composite Structures SA", SME, "BE343", ["fr", "de", "en"], 95, 17e6,
             ["35610000", "34731000", "35613000"],
             [("Structures composites pour aéronefs militaires et drones",
               "fr", ["35610000", "34731000"], ["aerostructures", "uav"], 7)],
             certs=[("EN 9100", "2027-06-30"), ("AQAP-2110", "2027-06-30")],
             clearance=("SECRET", "2024-12-31"), staff=8,
             town="Arlon"),
    supplier(12, "Eupen Sensorik GmbH", SME, "BE336", ["de", "fr", "en"], 60, 9.5e6,
             ["38430000", "35720000", "35120000"],
             [("Sensoren und Radarsysteme für Überwachung und Aufklärung", "de",
               ["35720000", "38430000"], ["radar", "sensors", "isr"], 7)],
             certs=[("ISO 9001", "2027-08-31")],
             clearance=("CONFIDENTIAL", "2028-03-31"), staff=9,
             town="Eupen"),
    supplier(13, "Orion Satcom Belgium NV", LARGE, "BE242", ["en", "nl", "fr"], 700, 120e6,
             ["32500000", "35710000", "64200000"],
             [("Military satellite communication terminals and ground stations",
               "en", ["32500000", "35710000"], ["satcom", "c4isr"], 9)],
             certs=[("AQAP-2110", "2027-12-31"), ("ISO 9001", "2027-12-31")],
             clearance=("SECRET", "2028-09-30"), staff=55,
             contracts=[(MOD_NL, "BE", "SATCOM-terminals voor fregatten", "nl",
                         ["32500000"], 12e6, "2022-11-08", "PRIME")],
             control=2, town="Zaventem"),
    supplier(14, "Namur Protective Textiles SA", SME, "BE352", ["fr", "nl"], 70, 11e6,
             ["35811300", "35815100", "18100000"],
             [("Uniformes, gilets pare-balles et équipements individuels", "fr",
               ["35811300", "35815100"], ["protection", "textiles"], 9)],
             certs=[("ISO 9001", "2027-02-28")],
             contracts=[(MOD_FR, "BE", "Gilets pare-balles", "fr", ["35800000"],
                         4.7e6, "2023-06-30", "PRIME")],
             town="Namur"),
]

UAV_TENDER = {
    "id": "BE-MOD-2026-UAV",
    "title": "Systèmes de drones tactiques et leur maintenance",
    "description": ("Fourniture de systèmes de drones tactiques de "
                    "reconnaissance (UAV) avec caméras thermiques, formation "
                    "et maintenance pour la Défense belge."),
    "language": "fr",
    "buyer": {"name": MOD_FR, "country": "BE", "main_activity": "DEFENCE",
              "nuts_code": "BE100"},
    "legal_basis": "LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC",
    "procedure": "PROCEDURE_TYPE_NEGOTIATED_WITH_PUBLICATION",
    "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE",
    "published": "2026-09-15T00:00:00Z",
    "submission_deadline": "2026-11-16T12:00:00Z",
    "estimated_value": eur(9e6),
    "nuts_codes": ["BE"],
    "main_cpv": "35613000-4",
    "additional_cpv": ["38600000", "50660000"],
    "security_of_information": True,
    "security_of_supply": True,
    "classification": "CLEARANCE_LEVEL_SECRET",
    "requirements": [
        {"id": "FSC", "importance": "IMPORTANCE_MANDATORY",
         "description": "Habilitation de sécurité d'entreprise SECRET",
         "clearance": {"min_level": "CLEARANCE_LEVEL_SECRET",
                       "min_cleared_staff": 5}},
        {"id": "AQAP", "importance": "IMPORTANCE_MANDATORY",
         "description": "Certification AQAP 2110",
         "certification": {"scheme": "AQAP 2110"}},
        {"id": "EU", "importance": "IMPORTANCE_MANDATORY",
         "description": "Établi dans l'UE et non contrôlé par un pays tiers",
         "establishment": {"allowed_countries": ["BE", "NL", "LU", "FR", "DE"],
                           "no_third_country_control": True}},
        {"id": "TURNOVER", "importance": "IMPORTANCE_MANDATORY",
         "description": "Chiffre d'affaires annuel d'au moins 1,5 fois la valeur",
         "turnover": {"lot_value_multiple": 1.5}},
        {"id": "EXP", "importance": "IMPORTANCE_DESIRABLE", "weight": 2,
         "description": "Expérience de livraison de drones",
         "cpv_experience": {"cpv_codes": ["35613000", "34711200"],
                            "within_years": 5}},
        {"id": "FR", "importance": "IMPORTANCE_DESIRABLE", "weight": 1,
         "description": "Service en français",
         "language": {"any_of": ["fr"]}},
    ],
}

EDF_CALL = {
    "id": "EDF-2026-MARITIME-AUTONOMY",
    "title": "Autonomous maritime drones for mine countermeasures",
    "description": ("European Defence Fund development action: autonomous "
                    "unmanned surface and underwater vessels, swarm control, "
                    "sensor fusion and secure communications for naval mine "
                    "countermeasures."),
    "language": "en",
    "buyer": {"name": "European Commission, DG DEFIS", "country": "BE",
              "main_activity": "DEFENCE"},
    "legal_basis": "LEGAL_BASIS_EDF_REGULATION_2021_697",
    "procedure": "PROCEDURE_TYPE_CALL_FOR_PROPOSALS",
    "notice_kind": "NOTICE_KIND_FUNDING_CALL",
    "published": "2026-06-01T00:00:00Z",
    "submission_deadline": "2026-11-30T17:00:00Z",
    "estimated_value": eur(40e6),
    "main_cpv": "73410000-9",
    "additional_cpv": ["35513000", "35720000", "35710000"],
    "requirements": [
        {"id": "ELIGIBLE", "importance": "IMPORTANCE_MANDATORY",
         "description": "Established in a member state or associated country, "
                        "not controlled by a non-associated third country",
         "establishment": {"allowed_countries": [
             "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
             "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL",
             "PT", "RO", "SE", "SI", "SK", "NO"],
             "executive_management_in_allowed_country": True,
             "no_third_country_control": True, "accept_guarantees": True}},
        {"id": "TRL", "importance": "IMPORTANCE_DESIRABLE", "weight": 2,
         "description": "Technology at TRL 4 or above",
         "technology_readiness": {"min_level": 4}},
        {"id": "AUTONOMY", "importance": "IMPORTANCE_DESIRABLE", "weight": 1,
         "description": "Autonomy or swarm expertise",
         "keyword": {"pattern": "autonom|swarm|zwerm|essaim"}},
    ],
    "consortium_rules": {"min_members": 3, "min_distinct_countries": 3,
                         "subcontracting_allowed": True},
}

# Real TED notice 414920-2021 (Bundesamt für Ausrüstung, Informationstechnik
# und Nutzung der Bundeswehr, Directive 2009/81/EC, form 17), unchanged but
# for the requirements the notice's conditions imply.
TED_FLARES = {
    "id": "TED-414920-2021",
    "title": "Handverschießbares Leuchtmittel",
    "description": ("Herstellung und Lieferung von handverschießbaren "
                    "Leuchtmitteln sowie deren Tragevorrichtung."),
    "language": "de",
    "buyer": {"name": "Bundesamt für Ausrüstung, Informationstechnik und "
                      "Nutzung der Bundeswehr", "country": "DE",
              "main_activity": "DEFENCE"},
    "legal_basis": "LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC",
    "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE",
    "published": "2021-08-13T00:00:00Z",
    "nuts_codes": ["DE"],
    "main_cpv": "35300000",
    "additional_cpv": ["39225500", "35330000", "24613000", "18900000"],
    "source_notice_id": "414920-2021",
    "requirements": [
        {"id": "EU", "importance": "IMPORTANCE_MANDATORY",
         "description": "Sitz in der EU",
         "establishment": {"allowed_countries": [
             "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
             "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL",
             "PT", "RO", "SE", "SI", "SK"]}},
    ],
}



# --- Generated entities -----------------------------------------------------
# The 14 entities above are written by hand. The rest are generated from
# invented brand stems (no real company's name), real Belgian arrondissements,
# real CPV codes per capability area and plausible sizes, with a fixed seed.

STEMS = ["Velmo", "Corvan", "Ardex", "Tessor", "Quilmo", "Brevan", "Lumox",
         "Darvel", "Ostrin", "Feyra", "Kelvar", "Movren", "Sarnix", "Tolvin",
         "Vendra", "Halvix", "Ystra", "Norvel", "Pelmar", "Zedro"]

# (area, CPV codes, tags, words by language)
AREAS = [
    ("uav", ["35613000", "34711200"], ["uav", "isr"],
     {"nl": "onbemande luchtvaartuigen en drones voor verkenning",
      "fr": "drones et systèmes aériens sans pilote pour la reconnaissance",
      "en": "unmanned aerial systems for reconnaissance"}),
    ("ammunition", ["35330000", "35300000"], ["ammunition"],
     {"nl": "munitie en pyrotechnische componenten",
      "fr": "munitions et composants pyrotechniques",
      "en": "ammunition and pyrotechnic components"}),
    ("c4isr", ["35710000", "32500000"], ["c4isr"],
     {"nl": "tactische communicatie en commandosystemen",
      "fr": "communications tactiques et systèmes de commandement",
      "en": "tactical communications and command systems"}),
    ("cyber", ["48730000", "72212000"], ["cyber", "software"],
     {"nl": "cyberbeveiliging en beveiligde software",
      "fr": "cybersécurité et logiciels sécurisés",
      "en": "cyber security and secure software"}),
    ("sensors", ["35720000", "38430000"], ["sensors", "radar", "isr"],
     {"nl": "radar en sensoren voor bewaking",
      "fr": "radars et capteurs de surveillance",
      "en": "radar and surveillance sensors"}),
    ("optronics", ["38600000", "38651000"], ["optronics"],
     {"nl": "optronica en thermische camera's",
      "fr": "optronique et caméras thermiques",
      "en": "optronics and thermal cameras"}),
    ("vehicles", ["35400000", "34100000"], ["vehicles"],
     {"nl": "militaire voertuigen en onderdelen",
      "fr": "véhicules militaires et pièces",
      "en": "military vehicles and parts"}),
    ("naval", ["35500000", "50240000"], ["naval", "mro"],
     {"nl": "marineschepen en scheepsonderhoud",
      "fr": "navires militaires et maintenance navale",
      "en": "naval vessels and ship maintenance"}),
    ("mro", ["50660000", "50600000"], ["mro"],
     {"nl": "onderhoud van militaire systemen",
      "fr": "maintenance de systèmes militaires",
      "en": "maintenance of military systems"}),
    ("protection", ["35815100", "35811300"], ["protection"],
     {"nl": "ballistische bescherming en uitrusting",
      "fr": "protection balistique et équipements individuels",
      "en": "ballistic protection and individual equipment"}),
    ("research", ["73410000", "73100000"], ["research"],
     {"nl": "defensieonderzoek en technologieontwikkeling",
      "fr": "recherche de défense et développement technologique",
      "en": "defence research and technology development"}),
    ("training", ["80530000", "80330000"], ["training"],
     {"nl": "opleiding en simulatie",
      "fr": "formation et simulation",
      "en": "training and simulation"}),
    ("firefighting", ["35110000", "35111000"], ["safety"],
     {"nl": "brandbestrijding en schadebeperking",
      "fr": "lutte contre l'incendie et contrôle des avaries",
      "en": "firefighting and damage control equipment"}),
    ("infrastructure", ["51300000", "45310000"], ["infrastructure"],
     {"nl": "installatie van communicatie-infrastructuur",
      "fr": "installation d'infrastructures de communication",
      "en": "installation of communications infrastructure"}),
]

# (NUTS 3, town, main language of the region)
PLACES = [("BE211", "Antwerpen", "nl"), ("BE212", "Mechelen", "nl"),
          ("BE213", "Turnhout", "nl"), ("BE224", "Hasselt", "nl"),
          ("BE234", "Gent", "nl"), ("BE236", "Sint-Niklaas", "nl"),
          ("BE241", "Leuven", "nl"), ("BE251", "Brugge", "nl"),
          ("BE254", "Kortrijk", "nl"), ("BE100", "Bruxelles", "fr"),
          ("BE310", "Wavre", "fr"), ("BE323", "Mons", "fr"),
          ("BE328", "Tournai", "fr"), ("BE32B", "Charleroi", "fr"),
          ("BE331", "Huy", "fr"), ("BE332", "Liège", "fr"),
          ("BE336", "Eupen", "de"), ("BE341", "Arlon", "fr"),
          ("BE352", "Namur", "fr")]

SUFFIX = {"nl": ["NV", "BV"], "fr": ["SA", "SRL"], "de": ["GmbH", "AG"]}
SECTOR_WORD = {"uav": "Aero", "ammunition": "Pyro", "c4isr": "Comms",
               "cyber": "Cyber", "sensors": "Sense", "optronics": "Optics",
               "vehicles": "Mobility", "naval": "Marine", "mro": "Services",
               "protection": "Protect", "research": "Labs",
               "training": "Training", "firefighting": "Safety",
               "infrastructure": "Infra"}


def generated_suppliers(count, start):
    rng = random.Random(20261129)
    out = []
    for k in range(count):
        n = start + k
        area = AREAS[k % len(AREAS)]
        name_area, codes, tags, words = area
        nuts, town, lang = PLACES[rng.randrange(len(PLACES))]
        kind = rng.choices([SME, MICRO, MIDCAP, LARGE, RTO, UNI],
                           [50, 15, 12, 8, 10, 5])[0]
        if kind in (RTO, UNI):
            name = "%s %s Institute" % (STEMS[k % len(STEMS)],
                                         SECTOR_WORD[name_area])
        else:
            name = "%s %s %s" % (STEMS[k % len(STEMS)], SECTOR_WORD[name_area],
                                 rng.choice(SUFFIX[lang]))
        name += " " + town if k >= len(STEMS) else ""
        employees = {MICRO: rng.randint(3, 9), SME: rng.randint(10, 249),
                     MIDCAP: rng.randint(250, 2999), LARGE: rng.randint(3000, 9000),
                     RTO: rng.randint(50, 600), UNI: rng.randint(1000, 6000)}[kind]
        turnover = round(employees * rng.uniform(90e3, 220e3), -4)
        langs = [lang] + [l for l in ("en", "fr", "nl") if l != lang and rng.random() < 0.6]
        cap_lang = lang if lang in words else "en"
        caps = [(words[cap_lang][0].upper() + words[cap_lang][1:], cap_lang,
                 [codes[0]], tags, rng.randint(3, 9))]
        if rng.random() < 0.4:
            other = AREAS[rng.randrange(len(AREAS))]
            caps.append((other[3]["en"].capitalize(), "en", [other[1][0]],
                         other[2], rng.randint(2, 9)))
        certs = []
        if kind not in (RTO, UNI) and rng.random() < 0.55:
            certs.append(("AQAP-2110" if rng.random() < 0.7 else "AQAP 2310",
                          "%d-%02d-28" % (rng.choice([2025, 2026, 2027, 2028]),
                                          rng.randint(1, 12))))
        if rng.random() < 0.6:
            certs.append((rng.choice(["ISO 9001", "EN 9100", "ISO/IEC 27001"]),
                          "%d-%02d-28" % (rng.choice([2026, 2027, 2028]),
                                          rng.randint(1, 12))))
        clearance = None
        staff = 0
        if rng.random() < 0.5:
            clearance = (rng.choice(["RESTRICTED", "CONFIDENTIAL", "SECRET",
                                     "SECRET"]),
                         "%d-%02d-28" % (rng.choice([2025, 2027, 2028, 2029]),
                                         rng.randint(1, 12)))
            staff = rng.randint(1, 40)
        contracts = []
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            buyer, buyer_lang = rng.choice([(MOD_NL, "nl"), (MOD_FR, "fr")])
            contracts.append((buyer, "BE", words.get(buyer_lang, words["en"]).capitalize(),
                              buyer_lang, [rng.choice(codes)],
                              round(rng.uniform(0.1, 0.3) * turnover, -3),
                              "%d-%02d-%02d" % (rng.randint(2017, 2025),
                                                rng.randint(1, 12), rng.randint(1, 28)),
                              rng.choice(["PRIME", "PRIME", "SUBCONTRACTOR",
                                          "CONSORTIUM_MEMBER"])))
        control = rng.choices([1, 0, 2, 3], [85, 5, 5, 5])[0]
        out.append(supplier(n, name, kind, nuts, langs, employees, turnover,
                            codes, caps, certs=certs, clearance=clearance,
                            staff=staff, contracts=contracts, control=control,
                            town=town, desc_lang=cap_lang,
                            description=words[cap_lang]))
    return out


# Real TED notices (Directive 2009/81/EC, © European Union, ted.europa.eu),
# their text as published; requirements only where the notice states them.
TED_BE_SHELTERS = {
    "id": "TED-308849-2021",
    "title": ("Livraison et installation d'abris préfabriqués compacts pour "
              "les nœuds de communication critiques de la Défense, y compris "
              "toutes les techniques de support et un contrat de maintenance "
              "de type omnium de dix ans."),
    "language": "fr",
    "buyer": {"name": "MRMP-I/A — Direction générale Material Resources",
              "country": "BE", "main_activity": "DEFENCE"},
    "legal_basis": "LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC",
    "notice_kind": "NOTICE_KIND_PRIOR_INFORMATION",
    "published": "2021-06-18T00:00:00Z",
    "nuts_codes": ["BE"],
    "main_cpv": "51300000",
    "source_notice_id": "308849-2021",
    "security_of_information": True,
    "classification": "CLEARANCE_LEVEL_SECRET",
    "requirements": [
        {"id": "FSC", "importance": "IMPORTANCE_MANDATORY",
         "description": ("habilitation de sécurité valide, soit de niveau "
                         "«Nato Secret», soit de niveau «National Secret»"),
         "clearance": {"min_level": "CLEARANCE_LEVEL_SECRET"}},
    ],
}

TED_DK_DECOYS = {
    "id": "TED-010233-2021",
    "title": "130 mm Naval Counter Measures.",
    "description": ("The Danish Defence Acquisition and Logistics Organization "
                    "(DALO) is putting the acquisition of Decoy Cartridges "
                    "(DC), specifically 130MM Naval Countermeasure Rounds up "
                    "for tender. In order to protect DALO ships from hostile "
                    "missile attacks, DALO has a need for acquiring DC's."),
    "language": "en",
    "buyer": {"name": "Danish Defence Acquisition and Logistics Organization",
              "country": "DK", "main_activity": "DEFENCE"},
    "legal_basis": "LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC",
    "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE",
    "published": "2021-01-11T00:00:00Z",
    "nuts_codes": ["DK"],
    "main_cpv": "35000000",
    "additional_cpv": ["35330000", "35322400"],
    "source_notice_id": "010233-2021",
    "lots": [
        {"id": "1", "title": "130MM Distraction Decoys", "main_cpv": "35330000"},
        {"id": "2", "title": "130MM Seduction Decoys", "main_cpv": "35330000"},
    ],
}

TED_SE_LMPV = {
    "id": "TED-277905-2021",
    "title": "Light Multi-Purpose Vehicle (LMPV)",
    "description": ("Two framework agreements: 1. Up to 3000 units of Light "
                    "Multi-Purpose Vehicles (LMPV) variants. 2. Contractor "
                    "Logistic Support."),
    "language": "en",
    "buyer": {"name": "FMV", "country": "SE", "main_activity": "DEFENCE"},
    "legal_basis": "LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC",
    "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE",
    "published": "2021-06-02T00:00:00Z",
    "nuts_codes": ["SE"],
    "main_cpv": "35400000",
    "source_notice_id": "277905-2021",
}

TED_NO_FIREFIGHTING = {
    "id": "TED-460098-2021",
    "title": "Firefighting & Damage Control Equipment - Pre-Qualification",
    "description": ("The Norwegian Defence Logistics Organisation will enter "
                    "into a framework agreement for the purchase of "
                    "Firefighting & Damage Control Equipment. The purpose of "
                    "the procurement is to cover the users need for high "
                    "quality fire and damage control equipment, in order to "
                    "ensure the safety of personnel and valuables, including "
                    "vessels."),
    "language": "en",
    "buyer": {"name": "Forsvaret v/Forsvarets logistikkorganisasjon",
              "country": "NO", "main_activity": "DEFENCE"},
    "legal_basis": "LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC",
    "notice_kind": "NOTICE_KIND_CONTRACT_NOTICE",
    "published": "2021-09-10T00:00:00Z",
    "nuts_codes": ["NO0A2"],
    "main_cpv": "35110000",
    "additional_cpv": ["35111000"],
    "source_notice_id": "460098-2021",
}

# Saved searches of a few of the hand-written suppliers (procmatch alerts;
# doc/alerts.md): one per criterion kind, so that the bundled data shows each.
ALERT_RULES = [
    {"id": "kempen-uav", "name": "Drones and their maintenance",
     "subscriber": "BE-0410472920", "cpv_prefixes": ["35613", "50660"],
     "keywords": ["drone", "UAV", "onbemande luchtvaartuigen"],
     "keyword_language": "fr", "deadline_open": True},
    {"id": "kempen-profile", "name": "Anything Kempen Avionics fits",
     "subscriber": "BE-0410472920",
     "profile": {"supplier_id": "BE-0410472920", "min_score": 0.4}},
    {"id": "meuse-munitions", "name": "Munitions and pyrotechnics, EU defence",
     "subscriber": "BE-0420945851", "cpv_prefixes": ["353"],
     "legal_bases": ["LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC"],
     "notice_kinds": ["NOTICE_KIND_CONTRACT_NOTICE"]},
    {"id": "antwerp-naval", "name": "Naval systems over 1 MEUR",
     "subscriber": "BE-0473310312", "cpv_prefixes": ["355", "35000000"],
     "keywords": ["naval", "maritime", "countermeasures"],
     "min_value": {"amount": 1000000, "currency": "EUR"}},
    {"id": "vid-research", "name": "Defence research calls",
     "subscriber": "BE-0452364547", "cpv_prefixes": ["734"],
     "notice_kinds": ["NOTICE_KIND_FUNDING_CALL"]},
    {"id": "tolvin-wallonia", "name": "Infrastructure in Wallonia",
     "subscriber": "BE-0693241281", "cpv_prefixes": ["513", "453"],
     "nuts_prefixes": ["BE3"], "exclude_patterns": ["demolition"]},
]


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "data", "sample")
    with open(os.path.join(out, "alert_rules.jsonl"), "w") as f:
        for r in ALERT_RULES:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    with open(os.path.join(out, "suppliers.jsonl"), "w") as f:
        for s in SUPPLIERS + generated_suppliers(136, len(SUPPLIERS) + 1):
            f.write(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n")
    with open(os.path.join(out, "tenders.jsonl"), "w") as f:
        for t in (UAV_TENDER, EDF_CALL, TED_FLARES, TED_BE_SHELTERS,
                  TED_DK_DECOYS, TED_SE_LMPV, TED_NO_FIREFIGHTING):
            f.write(json.dumps(t, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
