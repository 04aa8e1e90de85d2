"""The PLOVER vocabulary the event coder works from, written by us.

    PloverType        the 19 event types named in issue 5
    Sense             what a trigger means: type, mode, context
    VERBS             verb lemma -> Sense ("shell" -> FIGHT)
    PHRASAL           (verb lemma, particle or preposition) -> Sense ("call for" -> DEMAND)
    LIGHT             (verb lemma, object noun lemma) -> Sense ("open fire" -> FIGHT)
    NOUNS             noun lemma -> Sense, for nominal triggers ("airstrike" -> FIGHT)
    REVERSING_VERBS   verbs that undo what their object names ("lift a blockade" -> RETREAT)
    CUTTING_VERBS     verbs that stop a cooperative thing ("suspend talks" -> SANCTION)
    FRAME/INTENT/REPORTING verbs that carry another event in their complement
    DEMONYMS, MILITARY_WORDS  actor vocabulary: demonym -> ISO3, words naming armed forces
    trigger_words()   what the coder looks for before parsing a sentence

The entries follow the PLOVER definitions (Open Event Data Alliance, PLOVER manual
0.5-0.8 and its CAMEO mapping), not any evaluation sentences. Where PLOVER versions
differ the choice is written next to the entry. Two rules from the definitions shape
the coder and are worth stating here:

- AGREE covers *expressed intent* to cooperate, aid, meet or yield ("will provide
  aid", "offered to negotiate"); THREATEN covers announced future conflictual action
  ("would blockade Paris", "will boycott the elections unless ...").
- FIGHT is conventional military force (small arms, artillery, aircraft); ASSAULT is
  unconventional violence (bombings, abductions, beatings, assassinations). A killing
  by an armed force is FIGHT, by anyone else ASSAULT.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass


class PloverType(enum.StrEnum):
    """The PLOVER event types coded by jic (issue 5)."""

    AGREE = "AGREE"
    CONSULT = "CONSULT"
    SUPPORT = "SUPPORT"
    COOPERATE = "COOPERATE"
    AID = "AID"
    DEMAND = "DEMAND"
    DISAPPROVE = "DISAPPROVE"
    REJECT = "REJECT"
    THREATEN = "THREATEN"
    PROTEST = "PROTEST"
    MOBILIZE = "MOBILIZE"
    SANCTION = "SANCTION"
    COERCE = "COERCE"
    ASSAULT = "ASSAULT"
    FIGHT = "FIGHT"
    RETREAT = "RETREAT"
    CONCEDE = "CONCEDE"
    INVESTIGATE = "INVESTIGATE"
    ACCUSE = "ACCUSE"


T = PloverType

DEFINITIONS: dict[PloverType, str] = {
    T.AGREE: "agree to, or express intent to, cooperate, aid, meet, settle or yield",
    T.CONSULT: "meet, visit, host, negotiate, mediate, discuss by telephone",
    T.SUPPORT: "praise, endorse, defend verbally, recognise, apologise, forgive",
    T.COOPERATE: "material cooperation: economic, military, judicial, intelligence sharing",
    T.AID: "provide economic, military or humanitarian aid, protection, asylum",
    T.DEMAND: "demand, request or call for cooperation, aid, change, release, talks",
    T.DISAPPROVE: "criticise, condemn, denounce, complain officially, sue",
    T.REJECT: "reject, refuse, decline, veto, defy norms or a ban",
    T.THREATEN: "threaten future force, sanctions, boycott, or a break in relations",
    T.PROTEST: "demonstrate, rally, hunger strike, strike or boycott, block passage, riot",
    T.MOBILIZE: "raise alert, mobilise or deploy armed or police forces",
    T.SANCTION: "reduce or break relations, stop aid, embargo, expel or withdraw envoys",
    T.COERCE: "arrest, detain, deport, seize property, curfew, ban, censor, blockade",
    T.ASSAULT: "unconventional violence: abduct, beat, torture, bomb, assassinate, massacre",
    T.FIGHT: "conventional military force: small arms, artillery, air strikes, invasion",
    T.RETREAT: "withdraw, release, return, ease sanctions or blockade, ceasefire, surrender",
    T.CONCEDE: "yield to demands: ease restrictions, allow, resign, accede to reform",
    T.INVESTIGATE: "investigate crime, corruption, abuses or military action",
    T.ACCUSE: "allege specific wrongdoing: accuse of crimes, abuses, aggression, espionage",
}


@dataclass(frozen=True, slots=True)
class Sense:
    """What a trigger means in PLOVER terms."""

    type: PloverType
    mode: str = ""
    context: str = ""


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one string, so long vocabularies stay readable."""
    return frozenset(text.split())


def _pairs(text: str) -> dict[str, str]:
    """A table written as "key:value key:value ..." in one string."""
    return dict(pair.split(":", 1) for pair in text.split())


def _senses(type_: PloverType, words: str, mode: str = "", context: str = "") -> dict[str, Sense]:
    return {word: Sense(type_, mode, context) for word in words.split()}


# Verb lemmas. A verb that needs its object to be coded ("sign", "lift") is in LIGHT,
# REVERSING_VERBS or CUTTING_VERBS instead.
VERBS: dict[str, Sense] = {
    **_senses(T.AGREE, "agree pledge promise commit undertake settle reconcile"),
    **_senses(T.CONSULT, "meet negotiate discuss confer consult", "", "diplomatic"),
    **_senses(T.CONSULT, "mediate", "", "diplomatic"),
    **_senses(T.CONSULT, "visit tour", "visit"),
    **_senses(T.CONSULT, "host", "host"),
    **_senses(T.CONSULT, "telephone phone", "phone"),
    **_senses(T.SUPPORT, "praise endorse commend hail applaud welcome back support defend"),
    **_senses(T.SUPPORT, "recognize recognise apologize apologise forgive congratulate thank"),
    **_senses(T.COOPERATE, "cooperate collaborate coordinate partner", ""),
    **_senses(T.COOPERATE, "extradite", "", "legal"),
    **_senses(T.AID, "aid assist donate", ""),
    **_senses(T.AID, "airlift", "", "humanitarian"),
    **_senses(T.DEMAND, "demand urge request ask appeal insist press order"),
    **_senses(T.DISAPPROVE, "criticize criticise condemn denounce deplore decry"),
    **_senses(T.DISAPPROVE, "complain rebuke reproach censure slam blast chide"),
    **_senses(T.DISAPPROVE, "sue", "", "legal"),
    **_senses(T.ACCUSE, "accuse allege blame", "allege"),
    **_senses(T.REJECT, "reject refuse decline dismiss rebuff spurn veto oppose"),
    **_senses(T.REJECT, "defy violate flout boycott renege"),
    **_senses(T.THREATEN, "threaten warn menace", ""),
    **_senses(T.THREATEN, "ultimatum", "", "diplomatic"),
    **_senses(T.PROTEST, "demonstrate rally march picket riot protest", "demo"),
    **_senses(T.PROTEST, "block barricade obstruct", "obstruct"),
    **_senses(T.MOBILIZE, "mobilize mobilise deploy mass reinforce", "troops", "military"),
    **_senses(T.SANCTION, "sanction embargo expel", ""),
    **_senses(T.COERCE, "arrest detain jail imprison apprehend", "arrest", "legal"),
    **_senses(T.COERCE, "deport", "deport", "legal"),
    **_senses(T.COERCE, "confiscate seize expropriate raid", "seize"),
    **_senses(T.COERCE, "ban outlaw censor restrict blockade besiege occupy annex", "restrict"),
    **_senses(T.COERCE, "kidnap abduct", "abduct"),
    **_senses(T.ASSAULT, "kill murder massacre slaughter execute", ""),
    **_senses(T.ASSAULT, "assassinate", "assassinate"),
    **_senses(T.ASSAULT, "torture beat", "beat"),
    **_senses(T.ASSAULT, "hijack", "abduct"),
    **_senses(T.ASSAULT, "explode detonate", "explosives"),
    **_senses(T.ASSAULT, "wound injure maim stab", ""),
    **_senses(T.ASSAULT, "attack ambush raze torch", ""),
    **_senses(T.FIGHT, "shell bombard", "heavy-weapons", "military"),
    **_senses(T.FIGHT, "shoot", "firearms", "military"),
    **_senses(T.FIGHT, "bomb strafe", "aerial", "military"),
    **_senses(T.FIGHT, "fight battle clash invade storm", "", "military"),
    **_senses(T.FIGHT, "strike hit", "", "military"),
    **_senses(T.RETREAT, "withdraw retreat evacuate surrender disarm demobilize", "withdraw"),
    **_senses(T.RETREAT, "release free repatriate", "release"),
    **_senses(T.CONCEDE, "resign concede yield capitulate relent allow permit", ""),
    **_senses(T.INVESTIGATE, "investigate probe examine inspect audit", "investigate"),
}

# (verb lemma, particle or preposition) -> Sense: the pair means something the verb alone does not.
PHRASAL: dict[tuple[str, str], Sense] = {
    ("call", "for"): Sense(T.DEMAND),
    ("call", "on"): Sense(T.DEMAND),
    ("call", "upon"): Sense(T.DEMAND),
    ("beat", "up"): Sense(T.ASSAULT, "beat"),
    ("crack", "down"): Sense(T.COERCE, "repression"),
    ("pull", "out"): Sense(T.RETREAT, "withdraw"),
    ("pull", "back"): Sense(T.RETREAT, "withdraw"),
    ("step", "down"): Sense(T.CONCEDE, "", "political_institutions"),
    ("stand", "down"): Sense(T.RETREAT, "disarm", "military"),
    ("back", "down"): Sense(T.CONCEDE),
    ("give", "in"): Sense(T.CONCEDE),
    ("hand", "over"): Sense(T.RETREAT, "return"),
    ("turn", "over"): Sense(T.RETREAT, "return"),
    ("give", "up"): Sense(T.CONCEDE),
    ("lay", "down"): Sense(T.RETREAT, "disarm", "military"),
    ("speak", "out"): Sense(T.DISAPPROVE),
    ("sit", "down"): Sense(T.CONSULT),
    ("meet", "with"): Sense(T.CONSULT),
    ("talk", "with"): Sense(T.CONSULT),
    ("side", "with"): Sense(T.SUPPORT),
    ("stand", "by"): Sense(T.SUPPORT),
    ("look", "into"): Sense(T.INVESTIGATE),
    ("open", "fire"): Sense(T.FIGHT, "firearms", "military"),
    ("fire", "on"): Sense(T.FIGHT, "firearms", "military"),
    ("fire", "at"): Sense(T.FIGHT, "firearms", "military"),
    ("break", "off"): Sense(T.SANCTION, "withdraw", "diplomatic"),
    ("cut", "off"): Sense(T.SANCTION, "discontinue"),
    ("round", "up"): Sense(T.COERCE, "arrest", "legal"),
    ("take", "over"): Sense(T.COERCE, "seize"),
    ("blow", "up"): Sense(T.ASSAULT, "explosives"),
}

# Nouns that are events by themselves; also the object of a light verb ("staged a protest").
NOUNS: dict[str, Sense] = {
    **_senses(T.AGREE, "agreement accord deal treaty pact truce memorandum pledge promise"),
    **_senses(T.CONSULT, "talk talks negotiation meeting summit visit consultation", "", ""),
    **_senses(T.CONSULT, "mediation", "", "diplomatic"),
    **_senses(T.SUPPORT, "endorsement praise recognition apology", ""),
    **_senses(T.COOPERATE, "cooperation exercise exercises maneuver manoeuvre", "", ""),
    **_senses(T.AID, "aid assistance relief donation loan grant", ""),
    **_senses(T.DEMAND, "demand appeal request plea ultimatum"),
    **_senses(T.DISAPPROVE, "criticism condemnation complaint lawsuit suit", ""),
    **_senses(T.ACCUSE, "accusation allegation", "allege"),
    **_senses(T.REJECT, "rejection refusal veto", ""),
    **_senses(T.THREATEN, "threat warning", ""),
    **_senses(T.PROTEST, "protest demonstration rally march riot sit-in", "demo"),
    **_senses(T.PROTEST, "strike walkout", "strike"),
    **_senses(T.PROTEST, "boycott", "boycott"),
    **_senses(T.PROTEST, "blockade roadblock", "obstruct"),
    **_senses(T.MOBILIZE, "alert mobilization mobilisation deployment reinforcement", "troops"),
    **_senses(T.SANCTION, "sanction sanctions embargo", ""),
    **_senses(T.COERCE, "arrest detention crackdown raid", "arrest"),
    **_senses(T.COERCE, "curfew", "curfew"),
    **_senses(T.COERCE, "ban censorship restriction", "restrict"),
    **_senses(T.COERCE, "siege occupation", "restrict", "military"),
    **_senses(T.COERCE, "kidnapping abduction hostage", "abduct"),
    **_senses(T.ASSAULT, "bombing bomb explosion blast", "explosives"),
    **_senses(T.ASSAULT, "assassination killing massacre execution", ""),
    **_senses(T.ASSAULT, "attack ambush", ""),
    **_senses(T.FIGHT, "airstrike air-strike bombardment shelling", "heavy-weapons", "military"),
    **_senses(
        T.FIGHT, "offensive invasion incursion clash clashes battle fighting", "", "military"
    ),
    **_senses(T.FIGHT, "gunfire", "firearms", "military"),
    **_senses(T.RETREAT, "withdrawal retreat pullout surrender evacuation", "withdraw"),
    **_senses(T.RETREAT, "ceasefire cease-fire armistice", "ceasefire", "military"),
    **_senses(T.RETREAT, "release", "release"),
    **_senses(T.CONCEDE, "concession resignation", ""),
    **_senses(T.INVESTIGATE, "investigation inquiry probe inspection hearing audit", "investigate"),
}

# Compounds whose head alone would mislead: "hunger strike" is a protest, "air strike" is force.
COMPOUND_NOUNS: dict[tuple[str, str], Sense] = {
    ("hunger", "strike"): Sense(T.PROTEST, "hunger"),
    ("air", "strike"): Sense(T.FIGHT, "aerial", "military"),
    ("air", "raid"): Sense(T.FIGHT, "aerial", "military"),
    ("missile", "strike"): Sense(T.FIGHT, "heavy-weapons", "military"),
    ("drone", "strike"): Sense(T.FIGHT, "aerial", "military"),
    ("suicide", "bombing"): Sense(T.ASSAULT, "suicide-attack"),
    ("car", "bomb"): Sense(T.ASSAULT, "explosives"),
    ("human", "shield"): Sense(T.ASSAULT, "abduct"),
    ("peace", "talk"): Sense(T.CONSULT, "", "diplomatic"),
    ("war", "game"): Sense(T.COOPERATE, "", "military"),
    ("diplomatic", "tie"): Sense(T.SUPPORT, "", "diplomatic"),
}

# (verb, object noun) pairs whose meaning is neither the verb's nor the noun's alone.
LIGHT: dict[tuple[str, str], Sense] = {
    ("open", "fire"): Sense(T.FIGHT, "firearms", "military"),
    ("open", "border"): Sense(T.AID, "", "humanitarian"),
    ("close", "border"): Sense(T.COERCE, "restrict"),
    ("seal", "border"): Sense(T.COERCE, "restrict"),
    ("sign", "agreement"): Sense(T.AGREE),
    ("sign", "deal"): Sense(T.AGREE),
    ("sign", "accord"): Sense(T.AGREE),
    ("sign", "treaty"): Sense(T.AGREE),
    ("sign", "pact"): Sense(T.AGREE),
    ("sign", "memorandum"): Sense(T.AGREE),
    ("reach", "agreement"): Sense(T.AGREE),
    ("reach", "deal"): Sense(T.AGREE),
    ("establish", "tie"): Sense(T.SUPPORT, "", "diplomatic"),
    ("establish", "relation"): Sense(T.SUPPORT, "", "diplomatic"),
    ("restore", "tie"): Sense(T.SUPPORT, "", "diplomatic"),
    ("restore", "relation"): Sense(T.SUPPORT, "", "diplomatic"),
    ("open", "embassy"): Sense(T.SUPPORT, "", "diplomatic"),
    ("close", "embassy"): Sense(T.SANCTION, "withdraw", "diplomatic"),
    ("recall", "ambassador"): Sense(T.SANCTION, "withdraw", "diplomatic"),
    ("lodge", "protest"): Sense(T.DISAPPROVE),
    ("lodge", "complaint"): Sense(T.DISAPPROVE),
    ("file", "complaint"): Sense(T.DISAPPROVE),
    ("file", "lawsuit"): Sense(T.DISAPPROVE, "", "legal"),
    ("file", "suit"): Sense(T.DISAPPROVE, "", "legal"),
    ("open", "hearing"): Sense(T.INVESTIGATE, "investigate", "legal"),
    ("take", "hostage"): Sense(T.ASSAULT, "abduct"),
    ("hold", "hostage"): Sense(T.ASSAULT, "abduct"),
    ("grant", "asylum"): Sense(T.AID, "asylum"),
    ("send", "troop"): Sense(T.MOBILIZE, "troops", "military"),
    ("raise", "alert"): Sense(T.MOBILIZE, "troops", "military"),
    ("hold", "election"): Sense(T.CONCEDE, "", "political_institutions"),
    ("call", "election"): Sense(T.CONCEDE, "", "political_institutions"),
    ("declare", "ceasefire"): Sense(T.RETREAT, "ceasefire", "military"),
    ("declare", "truce"): Sense(T.RETREAT, "ceasefire", "military"),
    ("declare", "emergency"): Sense(T.COERCE, "martial-law"),
    ("impose", "rule"): Sense(T.COERCE, "martial-law"),
    ("violate", "ceasefire"): Sense(T.FIGHT, "", "military"),
    ("break", "ceasefire"): Sense(T.FIGHT, "", "military"),
    ("meet", "demand"): Sense(T.CONCEDE),
}

# Objects that make a trigger verb mean nothing in PLOVER terms ("released a statement").
EMPTY_OBJECTS = wordset(
    "statement report video footage detail details figure figures data list result "
    "results document documents book album film record"
)

# Verbs whose violence is conventional force when the one using it is an armed force
# ("troops attacked" is FIGHT; "gunmen attacked" is ASSAULT), and crowd acts that are
# official disapproval when a state does them ("France protested").
ARMED_SOURCE_TYPES: dict[PloverType, PloverType] = {T.ASSAULT: T.FIGHT}
STATE_SOURCE_TYPES: dict[PloverType, PloverType] = {T.PROTEST: T.DISAPPROVE}

# Verbs whose object decides the event: they take the object noun's sense.
LIGHT_VERBS = wordset(
    "launch stage hold conduct carry begin start continue mount make issue impose "
    "open lodge file give provide offer send deliver grant extend reach sign establish "
    "declare announce take stage organize organise conduct resume intensify step "
    "unleash wage pursue join"
)

# Undoing a restriction or a use of force is a retreat; undoing a ban on freedoms a concession.
REVERSING_VERBS = wordset("lift ease end relax remove suspend halt stop cancel abandon")
REVERSED_TYPES = frozenset({T.SANCTION, T.COERCE, T.MOBILIZE, T.FIGHT, T.ASSAULT, T.PROTEST})
CONCEDED_NOUNS = wordset("ban restriction censorship")

# Stopping or withdrawing something cooperative is a sanction (PLOVER: reduce relations).
CUTTING_VERBS = wordset(
    "suspend halt stop cut freeze end break sever withdraw cancel downgrade reduce"
)
CUT_TYPES = frozenset({T.CONSULT, T.AID, T.COOPERATE, T.SUPPORT, T.AGREE})
WITHDRAWN_NOUNS = wordset(
    "ambassador envoy diplomat peacekeeper peacekeeping observer inspector monitor aid "
    "support recognition"
)

# Verbs that carry another event in their complement and turn it into intent
# ("will", "offered to", "is willing to"). Intent to cooperate is AGREE; to hurt, THREATEN.
INTENT_VERBS = wordset(
    "offer promise pledge vow swear intend plan propose volunteer undertake commit"
)
INTENT_ADJECTIVES = wordset("willing ready prepared determined committed eager")
INTENT_AUXILIARIES = wordset("will would shall 'll")

# Nouns that count or group what follows "of": "tons of food aid", "thousands of protesters".
QUANTITY_NOUNS = wordset(
    "ton tons thousand thousands hundred hundreds dozen dozens million millions number "
    "group groups series lot lots batch shipment shipments convoy convoys wave part "
    "some many most all several few"
)

# Verbs that only say when an act happens: "resume shelling" is shelling.
ASPECTUAL_VERBS = wordset("begin start continue resume keep try attempt seek")

# "X said Y must ...": a statement of what another must do is a DEMAND.
OBLIGATION_AUXILIARIES = wordset("must should")

# Preparing force without using it is PLOVER MOBILIZE (demonstrate military power).
PREPARING_VERBS = wordset("prepare ready poise")

# Verbs that only report or frame: the event is in their complement, not the verb.
REPORTING_VERBS = wordset(
    "say tell announce state report add insist claim confirm note declare explain "
    "write quote reply respond disclose reveal acknowledge admit stress indicate "
    "believe think know expect hope suggest decide seek want try attempt begin start "
    "continue resume move manage fail"
)

# Frame types absorb the events in their complement ("threatened to break relations" is
# one THREATEN, not also a SANCTION).
FRAME_TYPES = frozenset(
    {T.AGREE, T.DEMAND, T.REJECT, T.THREATEN, T.DISAPPROVE, T.ACCUSE, T.SUPPORT, T.CONCEDE}
)

# Material cooperation and yielding that becomes AGREE when only intended.
# Verbal cooperation (SUPPORT) stays what it is: "willing to forgive" is already verbal.
COOPERATIVE_TYPES = frozenset({T.CONSULT, T.COOPERATE, T.AID, T.RETREAT, T.CONCEDE, T.AGREE})
# Conflictual actions that become THREATEN when only announced.
HOSTILE_TYPES = frozenset({T.SANCTION, T.COERCE, T.ASSAULT, T.FIGHT, T.PROTEST, T.MOBILIZE})

# People named by what they do: the noun is both the actor and the event ("protesters").
ACTOR_EVENT_NOUNS: dict[str, Sense] = {
    **_senses(T.PROTEST, "protester protestor demonstrator rioter striker marcher", "demo"),
}

# Nouns that name people or bodies who can act: used to tell actors from other nouns.
PEOPLE_NOUNS = wordset(
    "people civilian civilians refugee refugees rebel rebels militant militants guerrilla "
    "guerrillas gunman gunmen insurgent insurgents militia militiaman militiamen fighter "
    "fighters protester protesters demonstrator demonstrators student students worker "
    "workers farmer farmers official officials leader leaders detainee detainees prisoner "
    "prisoners hostage hostages journalist journalists opposition party group groups "
    "side sides negotiator negotiators delegation delegate delegates spokesman "
    "spokeswoman spokesperson envoy diplomat diplomats agency council commission union "
    "alliance coalition organization organisation movement member members landowner "
    "landowners settler settlers villager villagers resident residents citizen citizens "
    "national nationals businessman businessmen lawyer lawyers bishop church newspaper "
    "radio television media missionary minister president premier chief commander "
    "general king queen emir sheikh prince court judge tribunal"
)
VIOLENT_TYPES = frozenset({T.ASSAULT, T.FIGHT})

# Words that name an armed force of a state: their use of violence is FIGHT, not ASSAULT.
MILITARY_WORDS = wordset(
    "army armies military troop troops soldier soldiers force forces navy warship "
    "warships air-force jet jets warplane warplanes aircraft helicopter helicopters "
    "tank tanks artillery gunboat gunboats marine marines paratrooper paratroopers "
    "battalion brigade regiment division unit units police policeman policemen "
    "predator drone drones missile missiles"
)

# Organs of a state: an actor named by one of these with a country word is that state.
STATE_ORGANS = wordset(
    "government ministry minister president premier parliament cabinet army military "
    "forces troops police court authorities authority officials official embassy "
    "ambassador navy diplomats diplomat spokesman spokeswoman regime leader leaders "
    "chancellor king emir prime foreign defense defence interior state"
)

# Demonyms and adjectives of countries, written by us; country names and ISO3 codes
# themselves come from countrystatecity-countries.
DEMONYMS: dict[str, str] = _pairs(
    "afghan:AFG albanian:ALB algerian:DZA american:USA angolan:AGO argentine:ARG "
    "argentinian:ARG armenian:ARM australian:AUS austrian:AUT azerbaijani:AZE azeri:AZE "
    "bahraini:BHR bangladeshi:BGD belarusian:BLR belgian:BEL beninese:BEN bolivian:BOL "
    "bosnian:BIH brazilian:BRA british:GBR bulgarian:BGR burmese:MMR burundian:BDI "
    "cambodian:KHM cameroonian:CMR canadian:CAN chadian:TCD chilean:CHL chinese:CHN "
    "colombian:COL congolese:COD croatian:HRV cuban:CUB cypriot:CYP czech:CZE "
    "czechoslovak:CZE danish:DNK dutch:NLD ecuadorian:ECU egyptian:EGY emirati:ARE "
    "eritrean:ERI estonian:EST ethiopian:ETH fijian:FJI filipino:PHL finnish:FIN "
    "french:FRA gambian:GMB georgian:GEO german:DEU ghanaian:GHA greek:GRC "
    "guatemalan:GTM guinean:GIN haitian:HTI honduran:HND hungarian:HUN icelandic:ISL "
    "indian:IND indonesian:IDN iranian:IRN iraqi:IRQ irish:IRL israeli:ISR italian:ITA "
    "ivorian:CIV jamaican:JAM japanese:JPN jordanian:JOR kazakh:KAZ kenyan:KEN "
    "korean:KOR kosovar:XKX kuwaiti:KWT kyrgyz:KGZ lao:LAO laotian:LAO latvian:LVA "
    "lebanese:LBN liberian:LBR libyan:LBY lithuanian:LTU macedonian:MKD malagasy:MDG "
    "malawian:MWI malaysian:MYS malian:MLI maltese:MLT mauritanian:MRT mexican:MEX "
    "moldovan:MDA mongolian:MNG montenegrin:MNE moroccan:MAR mozambican:MOZ namibian:NAM "
    "nepalese:NPL nepali:NPL nicaraguan:NIC nigerian:NGA nigerien:NER norwegian:NOR "
    "omani:OMN pakistani:PAK palestinian:PSE panamanian:PAN paraguayan:PRY peruvian:PER "
    "polish:POL portuguese:PRT qatari:QAT romanian:ROU russian:RUS rwandan:RWA "
    "salvadoran:SLV saudi:SAU senegalese:SEN serb:SRB serbian:SRB sierra-leonean:SLE "
    "singaporean:SGP slovak:SVK slovenian:SVN somali:SOM south-african:ZAF soviet:RUS "
    "spanish:ESP sri-lankan:LKA sudanese:SDN swedish:SWE swiss:CHE syrian:SYR "
    "taiwanese:TWN tajik:TJK tanzanian:TZA thai:THA togolese:TGO tunisian:TUN "
    "turkish:TUR turkmen:TKM ugandan:UGA ukrainian:UKR uruguayan:URY uzbek:UZB "
    "venezuelan:VEN vietnamese:VNM yemeni:YEM yugoslav:SRB zambian:ZMB zimbabwean:ZWE "
    "kremlin:RUS pentagon:USA white-house:USA downing-street:GBR "
)

# Country names news uses that the country table spells differently.
COUNTRY_ALIASES: dict[str, str] = {
    "us": "USA",
    "u.s.": "USA",
    "usa": "USA",
    "u.s.a.": "USA",
    "america": "USA",
    "united states of america": "USA",
    "uk": "GBR",
    "u.k.": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "england": "GBR",
    "prc": "CHN",
    "north korea": "PRK",
    "south korea": "KOR",
    "dprk": "PRK",
    "ivory coast": "CIV",
    "burma": "MMR",
    "czechoslovakia": "CZE",
    "czech republic": "CZE",
    "czechia": "CZE",
    "soviet union": "RUS",
    "ussr": "RUS",
    "yugoslavia": "SRB",
    "zaire": "COD",
    "drc": "COD",
    "the netherlands": "NLD",
    "holland": "NLD",
    "uae": "ARE",
    "emirates": "ARE",
    "palestine": "PSE",
    "gaza": "PSE",
    "gaza strip": "PSE",
    "west bank": "PSE",
    "east timor": "TLS",
    "vatican": "VAT",
    "taiwan": "TWN",
    "russian federation": "RUS",
    "syria": "SYR",
    "iran": "IRN",
    "laos": "LAO",
    "vietnam": "VNM",
    "macedonia": "MKD",
    "kosovo": "XKX",
    "the gambia": "GMB",
    "congo": "COD",
}


def surface_forms() -> frozenset[str]:
    """Inflected forms of every lexicon word, for the cheap pre-parse test."""
    lemmas = set(VERBS) | set(NOUNS) | {verb for verb, _ in PHRASAL}
    # Light verbs ("make", "take", "give") are not listed: alone they are never a trigger,
    # and their event nouns are, so the cheap test stays selective.
    lemmas |= {noun for _, noun in LIGHT} | {noun for _, noun in COMPOUND_NOUNS}
    forms: set[str] = set()
    for lemma in lemmas:
        forms.update(_inflections(lemma))
    forms.update(IRREGULAR)
    forms.update(INTENT_ADJECTIVES)
    return frozenset(forms)


@dataclass(frozen=True, slots=True)
class TriggerWords:
    """What the pre-parse test looks for, by lower-case word form.

    A sentence can hold an event only if it has a word of ``surface`` and, besides,
    a word that is a trigger by itself (``alone``: a form of an event verb or noun) or
    a word with one of its ``partners`` (the parts of "open fire", "call for", "war
    games", "cut ties", "... must ..." after a reporting verb): the coder finds nothing
    else, so a sentence without them is not parsed.
    """

    surface: frozenset[str]
    alone: frozenset[str]
    partners: dict[str, frozenset[str]]


def trigger_words(forms_of: Callable[[str], Iterable[str]] | None = None) -> TriggerWords:
    """The pre-parse test's words, from the lexicon tables (see ``TriggerWords``).

    ``forms_of`` gives the forms that the lemmatizer whose lemmas the coder reads maps to
    a lemma ("undertaken" -> "undertake"): then exactly those count, not "band" for "ban".
    Without it, the regular inflections and the irregular forms written here count.
    """

    def forms(lemma: str) -> frozenset[str]:
        if forms_of is not None:
            return frozenset({lemma, *forms_of(lemma)})
        return frozenset(_inflections(lemma) | _IRREGULAR_OF.get(lemma, set()))

    alone: set[str] = set()
    for lemma in (*VERBS, *NOUNS, *ACTOR_EVENT_NOUNS):
        alone |= forms(lemma)
    pairs: list[tuple[frozenset[str], frozenset[str]]] = [
        (forms(verb), frozenset({particle})) for verb, particle in PHRASAL
    ]
    pairs += [(forms(verb), forms(noun)) for verb, noun in LIGHT]
    pairs += [(forms(modifier), forms(noun)) for modifier, noun in COMPOUND_NOUNS]
    cut = frozenset().union(*(forms(n) for n in WITHDRAWN_NOUNS | {"relation", "tie"}))
    pairs += [(forms(verb), cut) for verb in CUTTING_VERBS]
    told = frozenset().union(*(forms(verb) for verb in REPORTING_VERBS))
    pairs.append((OBLIGATION_AUXILIARIES, told))
    partners: dict[str, set[str]] = {}
    for first, second in pairs:
        for word in first:
            partners.setdefault(word, set()).update(second)
        for word in second:
            partners.setdefault(word, set()).update(first)
    return TriggerWords(
        surface=surface_forms(),
        alone=frozenset(alone),
        partners={word: frozenset(others) for word, others in partners.items()},
    )


# Irregular forms of lexicon words, with their lemmas.
IRREGULAR: dict[str, str] = _pairs(
    "met:meet fought:fight shot:shoot beaten:beat struck:strike took:take taken:take "
    "held:hold sought:seek made:make began:begin begun:begin sent:send gave:give given:give "
    "froze:freeze frozen:freeze broke:break broken:break swore:swear sworn:swear "
    "withdrew:withdraw withdrawn:withdraw led:lead hit:hit cut:cut laid:lay stood:stand "
    "sat:sit spoke:speak blew:blow blown:blow drew:draw drawn:draw threw:throw "
    "thrown:throw rose:rise stole:steal seized:seize kept:keep paid:pay bore:bear "
    "borne:bear fled:flee protesters:protester protestors:protestor "
    "demonstrators:demonstrator rioters:rioter strikers:striker talks:talks"
)
# Irregular forms of reporting verbs, for "X said Y must ..." (not event words themselves).
_IRREGULAR_REPORTING: dict[str, str] = _pairs(
    "said:say told:tell wrote:write written:write thought:think knew:know known:know "
    "sought:seek began:begin begun:begin"
)
_IRREGULAR_OF: dict[str, set[str]] = {}
for _form, _lemma in (IRREGULAR | _IRREGULAR_REPORTING).items():
    _IRREGULAR_OF.setdefault(_lemma, set()).add(_form)


def _inflections(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing", lemma + "rs"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    if len(lemma) > 2 and lemma[-1] not in "aeiouywx" and lemma[-2] in "aeiou":
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    forms |= {lemma + "er", lemma + "ers", lemma + "ment", lemma + "ments"}
    return forms


class CountryTable:
    """Country names, demonyms and capitals -> ISO-3166 alpha-3, for coding actors.

    Built once from countrystatecity-countries (names, ISO3, capitals) plus our
    DEMONYMS and COUNTRY_ALIASES, then passed to the event coder. Keys are lower-case
    phrases; ``lookup`` is given the words of an actor's phrase as written.
    """

    def __init__(
        self, names: dict[str, str], capitals: dict[str, str], words: dict[str, str]
    ) -> None:
        self.names = names  # "north korea" -> PRK (country names and aliases)
        self.capitals = capitals  # "moscow" -> RUS (a capital names its state as an actor)
        self.words = words  # "russian" -> RUS (demonyms, adjectives, organs)
        self.longest = max((len(key.split()) for key in [*names, *capitals]), default=1)

    @classmethod
    def load(cls) -> CountryTable:
        """Read the country list shipped in countrystatecity-countries (about 0.1 s)."""
        import countrystatecity_countries as csc

        names: dict[str, str] = {}
        capitals: dict[str, str] = {}
        for country in csc.get_countries():
            if not country.iso3:
                continue
            names.setdefault(country.name.lower(), country.iso3)
            if country.capital:
                capitals.setdefault(country.capital.lower(), country.iso3)
        names.update(COUNTRY_ALIASES)
        # "Georgia", "Jordan", "Chad" are also names of people or states: we keep them,
        # since an actor in subject position named so is far more often the country.
        words = dict(DEMONYMS)
        for demonym, code in DEMONYMS.items():
            if "-" in demonym:
                names.setdefault(demonym.replace("-", " "), code)
        return cls(names, capitals, words)

    def lookup(
        self, words: list[str], *, capitals: bool = True
    ) -> list[tuple[int, int, str, bool]]:
        """Every (start, end, ISO3, names_state) in ``words``, longest match first, left to right.

        ``names_state`` is true for a country name or capital ("Iraq", "Baghdad"), false for
        a demonym ("Iraqi"), which may name a people rather than its state.
        """
        found: list[tuple[int, int, str, bool]] = []
        # Names are capitalised: this keeps "us" (the pronoun) and "male" (not Malé) out.
        lowered = [word.lower() if word[:1].isupper() else "" for word in words]
        i = 0
        while i < len(words):
            match = self._match_at(lowered, i, capitals=capitals)
            if match is None:
                i += 1
                continue
            found.append(match)
            i = match[1]
        return found

    def _match_at(
        self, words: list[str], i: int, *, capitals: bool
    ) -> tuple[int, int, str, bool] | None:
        if not words[i]:
            return None
        for size in range(min(self.longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            code = self.names.get(phrase) or self.names.get(phrase.removeprefix("the "))
            if code is None and capitals:
                code = self.capitals.get(phrase)
            if code is not None:
                return i, i + size, code, True
            if size == 1:
                code = self.words.get(phrase) or self.words.get(phrase.removesuffix("s"))
                if code is not None:
                    return i, i + size, code, False
        return None
