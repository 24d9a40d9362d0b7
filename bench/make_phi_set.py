"""Generate bench/data/phi_messages.jsonl: synthetic chat messages with gold PHI spans and clinical spans to keep.

    python -m bench.make_phi_set            # fixed seed: the committed file is reproducible

Each line: {"id", "voice": "patient"|"clinician", "text",
            "phi":  [{"start", "end", "type", "value"}],    identifiers that must be redacted
            "keep": [{"start", "end", "kind", "value"}]}    clinical spans that must survive
Names come from many Faker locales, including locales kept out of the name lists (see
bench/make_name_lists.py); messages are varied with lower-casing and typos outside the spans.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from faker import Faker

from bench.make_name_lists import GAZETTEER_LOCALES, HELD_OUT_LOCALES, is_latin_name

SEED = 20261129
COUNT = 640
OUT = Path(__file__).resolve().parent / "data" / "phi_messages.jsonl"

rng = random.Random(SEED)
Faker.seed(SEED)
FAKERS = {locale: Faker(locale) for locale in GAZETTEER_LOCALES + HELD_OUT_LOCALES}
US = FAKERS["en_US"]

WORD_NAMES = [
    "Hope",
    "Grace",
    "Will",
    "April",
    "Faith",
    "Joy",
    "Rose",
    "Mark",
    "Dawn",
    "June",
    "Summer",
    "Hunter",
    "Ivy",
    "Autumn",
    "Bill",
    "Frank",
    "Destiny",
    "Dean",
    "Amber",
    "Holly",
    "Angel",
    "Chase",
    "Sky",
    "Ray",
]
CITIES = [
    "Tulsa",
    "Fresno",
    "Boise",
    "Dayton",
    "Macon",
    "Yakima",
    "Akron",
    "Bozeman",
    "Flagstaff",
    "Duluth",
    "Savannah",
    "Plano",
    "Ithaca",
    "Provo",
    "Asheville",
    "Gainesville",
    "Spokane",
    "Chattanooga",
    "Kalamazoo",
    "Lubbock",
]
EPONYMS = [
    "Parkinson's",
    "Crohn's disease",
    "Bell's palsy",
    "Hodgkin lymphoma",
    "Down syndrome",
    "Graves' disease",
    "Cushing's",
    "Alzheimer's",
    "Hashimoto's",
    "Raynaud's",
    "Addison's disease",
    "Huntington's disease",
    "Tourette syndrome",
    "Lyme disease",
    "Guillain-Barre",
    "Kawasaki disease",
    "Meniere's disease",
    "Paget's disease",
    "Sjogren's syndrome",
    "Wilson's disease",
    "Asperger syndrome",
    "Marfan syndrome",
    "Crohn's",
    "Parkinson's disease",
]
DRUGS = [
    "Tylenol",
    "ibuprofen",
    "Advil",
    "amoxicillin",
    "metformin",
    "lisinopril",
    "Eliquis",
    "albuterol",
    "prednisone",
    "Zoloft",
    "Xarelto",
    "insulin",
    "Motrin",
    "Benadryl",
    "Lasix",
    "atorvastatin",
    "Ozempic",
    "levothyroxine",
    "Keppra",
    "Augmentin",
    "Zofran",
    "omeprazole",
    "gabapentin",
    "Plavix",
    "warfarin",
    "Singulair",
    "Flonase",
    "azithromycin",
    "Lexapro",
    "Humira",
    "EpiPen",
]
BODY = [
    "chest",
    "left arm",
    "lower back",
    "stomach",
    "right knee",
    "throat",
    "head",
    "ankle",
    "neck",
    "left ear",
    "abdomen",
    "right hip",
    "eyes",
    "shoulder",
    "wrist",
    "foot",
    "ribs",
    "jaw",
]
SYMPTOMS = [
    "fever",
    "cough",
    "headache",
    "rash",
    "vomiting",
    "diarrhea",
    "dizziness",
    "shortness of breath",
    "chest pain",
    "nausea",
    "wheezing",
    "swelling",
    "numbness",
    "fatigue",
    "chills",
    "sore throat",
    "palpitations",
    "confusion",
]
DURATIONS = [
    "for 3 days",
    "two days",
    "yesterday",
    "since Monday",
    "for a week",
    "3 hours",
    "last night",
    "since this morning",
    "for about 2 weeks",
    "a few days",
    "since yesterday",
    "for 10 days",
    "this morning",
    "24 hours",
    "since Friday",
    "for six months",
    "2 days ago",
    "for the past week",
    "tonight",
    "over the weekend",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]


def pick_faker() -> Faker:
    locales = list(FAKERS)
    weights = [4 if locale == "en_US" else 1 for locale in locales]
    return FAKERS[rng.choices(locales, weights)[0]]


def latin_part(getter) -> str:
    for _ in range(30):
        fake = pick_faker()
        value = getter(fake).split()[0].strip(".")
        if is_latin_name(value.replace("-", "").replace("'", "")):
            return value
    return getter(US).split()[0]


def first() -> str:
    return latin_part(lambda f: f.first_name())


def last() -> str:
    return latin_part(lambda f: f.last_name())


def full() -> str:
    return f"{first()} {last()}"


def ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def dob() -> str:
    d = US.date_of_birth(minimum_age=1, maximum_age=88)
    return rng.choice(
        [
            d.strftime("%m/%d/%Y"),
            f"{d.month}/{d.day}/{d.year}",
            d.strftime("%B %d, %Y").replace(" 0", " "),
            d.strftime("%Y-%m-%d"),
            f"{d.day} {d.strftime('%B')} {d.year}",
            d.strftime("%b %d %Y"),
            f"{d.month}-{d.day}-{str(d.year)[2:]}",
            d.strftime("%d.%m.%Y"),
            f"{ordinal(d.day)} of {d.strftime('%B')} {d.year}",
        ]
    )


def visit_date() -> str:
    d = US.date_between("-1y", "+60d")
    return rng.choice(
        [
            f"{d.strftime('%B')} {d.day}",
            f"{d.strftime('%B')} {ordinal(d.day)}",
            f"{d.month}/{d.day}",
            f"{rng.choice(MONTH_ABBR)} {d.day}",
            f"the {ordinal(d.day)} of {d.strftime('%B')}",
            f"{d.day} {d.strftime('%B')}",
            d.strftime("%m/%d/%Y"),
            f"{d.strftime('%B')} {d.day}, {d.year}",
        ]
    )


def phone() -> str:
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    return rng.choice(
        [
            f"({a}) {b}-{c:04d}",
            f"{a}-{b}-{c:04d}",
            f"{a}.{b}.{c:04d}",
            f"+1 {a} {b} {c:04d}",
            f"1-{a}-{b}-{c:04d}",
            f"{a} {b} {c:04d}",
            f"({a}){b}-{c:04d}",
            f"{a}-{b}-{c:04d} ext. {rng.randint(10, 999)}",
            f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            US.phone_number(),
        ]
    )


def oldage() -> str:
    n = rng.randint(90, 104)
    return rng.choice([f"{n}-year-old", f"{n} year old", f"{n} years old", f"{n} yo", f"{n}yo", f"{n}F", f"{n} M"])


def youngage() -> str:
    n = rng.randint(1, 89)
    return rng.choice([f"{n}-year-old", f"{n} year old", f"{n} yo", f"age {n}", f"{n}F", f"{n} years old", f"{n}M"])


def facility() -> str:
    return rng.choice(
        [
            f"{last()} Memorial Hospital",
            f"St. {first()}'s Medical Center",
            f"{rng.choice(CITIES)} General Hospital",
            f"{US.city()} Urgent Care",
            f"{last()} Family Clinic",
            f"Mount {last()} Hospital",
            f"{rng.choice(CITIES)} Regional Medical Center",
            f"{last()} Pediatrics",
            f"{US.city()} Community Health Center",
            "Sunrise Senior Living",
            f"{last()} Rehabilitation Center",
            f"{rng.choice(CITIES)} Children's Hospital",
        ]
    )


def street() -> str:
    return US.street_address()


def full_address() -> str:
    return f"{US.street_address()}, {US.city()}, {US.state_abbr()} {US.zipcode()}"


def city() -> str:
    return rng.choice([US.city(), rng.choice(CITIES)])


def ident(prefix: str = "", digits: int = 8) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    body = "".join(rng.choice("0123456789") for _ in range(digits))
    return (
        prefix + body
        if prefix
        else rng.choice([body, rng.choice(letters) + body, rng.choice(letters) + rng.choice(letters) + body[:-1]])
    )


def vin() -> str:
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return "".join(rng.choice(chars) for _ in range(16)) + str(rng.randint(0, 9))


def plate() -> str:
    return rng.choice(
        [f"{US.bothify('???-####').upper()}", f"{US.bothify('#??? ###').upper()}", f"{US.bothify('??# ####').upper()}"]
    )


def vital() -> str:
    return rng.choice(
        [
            f"SpO2 {rng.randint(84, 99)}%",
            f"BP {rng.randint(95, 190)}/{rng.randint(55, 115)}",
            f"HR {rng.randint(48, 150)}",
            f"temp {rng.randint(99, 104)}.{rng.randint(0, 9)}F",
            f"RR {rng.randint(12, 34)}",
            f"pain {rng.randint(3, 10)}/10",
            f"glucose {rng.randint(50, 420)}",
            f"O2 sat {rng.randint(85, 99)}%",
            f"heart rate {rng.randint(55, 140)}",
            f"blood pressure {rng.randint(100, 180)}/{rng.randint(60, 110)}",
            f"temperature of {rng.randint(38, 40)}.{rng.randint(0, 9)} C",
            f"A1c {rng.randint(6, 11)}.{rng.randint(0, 9)}%",
        ]
    )


def dose() -> str:
    return rng.choice(
        [
            f"{rng.choice([200, 400, 500, 600, 800, 1000])} mg",
            f"{rng.randint(1, 4)} puffs",
            f"{rng.choice([2.5, 5, 10])} ml",
            f"{rng.randint(4, 40)} units",
            f"{rng.choice([25, 50, 81, 100])}mg",
            f"{rng.randint(1, 2)} tablets",
        ]
    )


PHI = {
    "first": ("PERSON", first),
    "full": ("PERSON", full),
    "last": ("PERSON", last),
    "wordname": ("PERSON", lambda: rng.choice(WORD_NAMES)),
    "lowerfull": ("PERSON", lambda: full().lower()),
    "lowerfirst": ("PERSON", lambda: first().lower()),
    "dob": ("DATE", dob),
    "date": ("DATE", visit_date),
    "month": ("DATE", lambda: rng.choice(MONTHS[:4] + MONTHS[5:])),
    "phone": ("PHONE", phone),
    "email": ("EMAIL", lambda: pick_faker().email() if rng.random() < 0.5 else US.free_email()),
    "ssn": ("SSN", lambda: rng.choice([US.ssn(), US.ssn().replace("-", " ")])),
    "mrn": ("MRN", lambda: ident(digits=rng.randint(6, 10))),
    "account": (
        "ACCOUNT",
        lambda: rng.choice(
            [ident(digits=10), f"{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}"]
        ),
    ),
    "member": ("HEALTH_PLAN", lambda: rng.choice([ident(rng.choice(["XWB", "MBR", "ZGP", "H"]), 9), ident(digits=11)])),
    "license": (
        "LICENSE",
        lambda: rng.choice(
            [
                ident(rng.choice(["D", "S", "F"]), 7),
                ident(digits=9),
                f"{rng.choice('ABFM')}{rng.choice('ABCDEFGHJ')}{rng.randint(1000000, 9999999)}",
            ]
        ),
    ),
    "device": (
        "DEVICE_ID",
        lambda: rng.choice(
            [
                ident(rng.choice(["PJN", "SN", "MDT", "G"]), 7),
                US.bothify("??#######").upper(),
                US.bothify("####-??-####").upper(),
            ]
        ),
    ),
    "vin": ("VEHICLE_ID", vin),
    "plate": ("VEHICLE_ID", plate),
    "url": (
        "URL",
        lambda: rng.choice(
            [
                US.url() + rng.choice(["", "patient/" + str(rng.randint(1000, 99999))]),
                f"www.{US.domain_name()}",
                f"{US.domain_name()}/{US.uri_path()}",
                f"https://mychart.{US.domain_name()}/login",
            ]
        ).rstrip("/"),
    ),
    "ip": ("IP_ADDRESS", lambda: rng.choice([US.ipv4(), US.ipv4_private(), US.ipv6()])),
    "street": ("ADDRESS", street),
    "address": ("ADDRESS", full_address),
    "city": ("LOCATION", city),
    "zip": ("ZIP", US.zipcode),
    "oldage": ("AGE", oldage),
    "facility": ("FACILITY", facility),
}
KEEP = {
    "dur": ("duration", lambda: rng.choice(DURATIONS)),
    "youngage": ("age", youngage),
    "dose": ("dose", dose),
    "vital": ("vital", vital),
    "eponym": ("eponym", lambda: rng.choice(EPONYMS)),
    "drug": ("drug", lambda: rng.choice(DRUGS)),
    "body": ("body", lambda: rng.choice(BODY)),
    "symptom": ("symptom", lambda: rng.choice(SYMPTOMS)),
}

PATIENT = [
    "Hi, my name is {full}. My daughter {first} has had a {symptom} {dur} and her temp is 102.",
    "this is {first}, my son {first} is {youngage} and has been {symptom} {dur}. should I take him in?",
    "my name is {lowerfull} and i have {eponym}, the {drug} isn't helping with my {body}",
    "My mom {full} is {oldage} and fell this morning. She lives at {address}. Can someone call me at {phone}?",
    "Hello, I'm {full}, DOB {dob}. I've had {symptom} in my {body} {dur}.",
    "My husband {first} has {eponym} and his {vital} right now, is that bad?",
    "Can you send the results to {email}? My date of birth is {dob} and my MRN is {mrn}.",
    "I'm {wordname} and my {body} hurts {dur}. I took {dose} of {drug}.",
    "My daughter {wordname} ({youngage}) has a {symptom} and {vital}.",
    "We live in {city} and my grandson {first} is staying with us. He has {eponym}.",
    "i'm calling for my dad {full}, he's {oldage}, MRN {mrn}, he has {symptom} {dur}",
    "My appointment at {facility} is on {date} but my {symptom} is getting worse.",
    "Please call me back on {phone}, ask for {first}. My {body} has been swollen {dur}.",
    "my name is {lowerfirst} and my {symptom} started {dur}",
    "I was admitted to {facility} on {date} for {eponym} and they gave me {drug}.",
    "My insurance member ID is {member} and my policy is through work. The {drug} costs too much.",
    "This is {full}'s mother. {first} has {symptom} and a {vital}.",
    "I'm {youngage}, I have {eponym} and my {symptom} is worse {dur}.",
    "My wife {first} {last} is pregnant and has {symptom} {dur}. Our address is {street}.",
    "Dr. {last} told me to take {dose} of {drug} twice a day, but my {body} still hurts.",
    "Hi it's {first} again. The {drug} made my {symptom} worse. My SSN is {ssn} if you need it for billing.",
    "my friend {first} said to message you. i'm in {city} and my {body} has {symptom}",
    "Grandpa {first} turned {oldage} in {month} and he's been confused {dur}.",
    "Can I use my account {account} to pay? Also my son {first} needs a refill of {drug}.",
    "Our zip code is {zip}, is there an urgent care near us? {symptom} {dur}.",
    "My CPAP serial number is {device} and it keeps beeping. I have {symptom}.",
    "I had a car accident, my license plate is {plate} and my {body} hurts {dur}.",
    "The portal at {url} won't let me log in. My MRN is {mrn}.",
    "I'm {full}, I live at {street} in {city}, and I've had {symptom} {dur}.",
    "hey this is {lowerfirst} {last}, my {body} is killing me {dur}",
    "My name's {first}. My {youngage} has {symptom} and {vital}. We gave {dose} of {drug}.",
    "Driver's license {license}, I need a note for work. I had {symptom} {dur}.",
    "My neighbor {full} found me on the floor, I have {eponym}.",
    "Born {dob}, I'm the patient. {symptom} started {dur} after taking {drug}.",
    "Hi! {wordname} here, mom of {first}. She's {youngage} and has {symptom}.",
    "My aunt {first} is {oldage} and lives at {facility}. She has {eponym} and {symptom}.",
    "I can't remember if my visit was {date} or later, but the {drug} ran out {dur}.",
    "My email is {email} and phone {phone}. I'm having {symptom} in my {body}.",
    "we moved to {city} in {month}. my baby {first} has had {symptom} {dur}",
    "Hello, this is {wordname} {last}. I have {eponym} and my {vital}.",
    "My VIN is {vin}, the insurance company needs it after the crash. My {body} still hurts.",
    "My IP address is {ip} if that helps the IT people, I can't see my results. {symptom} is better.",
    "Please update my address to {address}. My {symptom} is fine now.",
    "My son {first}'s birthday is {date}, he turns {youngage}. He has {eponym}.",
    "Mrs. {last} from next door brought me {drug}. My {symptom} started {dur}.",
    "My brother {full} has {eponym}. He lives in {city}. His number is {phone}.",
    "hi im {lowerfirst}, my {youngage} son has {symptom} and {vital} {dur}",
    "I am the caregiver for {full} ({oldage}). She has {symptom} {dur}.",
    "my girlfriend {first} took {dose} of {drug} and now has {symptom}",
    "Last seen at {facility} on {date}. Since then {symptom} and {vital}.",
]
CLINICIAN = [
    "Pt {full}, {youngage}, DOB {dob}, MRN {mrn}, presents with {symptom} {dur}. {vital}. Hx {eponym}.",
    "{last}, {first} - {oldage} female admitted {date} to {facility} with {symptom}. {vital}.",
    "Spoke with patient's daughter {first} at {phone}. Pt on {drug} {dose}, hx of {eponym}.",
    "Seen by Dr. {last} on {date}. Assessment: {symptom}, likely {eponym}. Plan: {drug} {dose}.",
    "Patient {full} ({youngage}) reports {symptom} in {body} {dur}. {vital}.",
    "Referred by {full}, NP. Member ID {member}. Pt denies {symptom}. {vital}.",
    "Called pt at {phone}, no answer. Left VM re: {drug} refill. Address on file {address}.",
    "{oldage} M with {eponym}, on {drug}. Wife {first} at bedside. {vital}.",
    "Discharged {date} from {facility}. Follow up with Dr. {last} in 2 weeks. Continue {drug} {dose}.",
    "Pt is a {youngage} with {symptom} {dur}, {vital}, lives in {city}, MRN {mrn}.",
    "Note for {full}, DOB {dob}: {symptom} resolved, {vital}. Next visit {date}.",
    "Emergency contact: {full}, {phone}. Pt has {eponym}, takes {drug}.",
    "Per mother {first}, child ({youngage}) had {symptom} {dur}. {vital}. Gave {dose} {drug}.",
    "Insulin pump serial {device}. Pt {first} {last} reports {symptom}. {vital}.",
    "Fax results to {phone}, attn {full}. Dx: {eponym}. {vital}.",
    "pt {lowerfull}, hx {eponym}, c/o {symptom} in {body} {dur}",
    "Admitted {date} with {symptom}. SSN {ssn} verified. Home address {street}, {city}.",
    "{full} was transferred from {facility} on {date}. {vital}. Started {drug}.",
    "Acct {account}. Pt {full}, {oldage}, {symptom} {dur}.",
    "Telehealth with {first} {last} from {city}. {symptom} {dur}, {vital}. Hx {eponym}.",
    "Patient portal link sent to {email}. {symptom} improving on {drug}.",
    "License {license} on file for {full}. {symptom}, {vital}.",
    "Husband {first} reports pt confused {dur}. Hx {eponym}. {vital}. DOB {dob}.",
    "Case discussed with Dr. {full} at {facility}. {symptom}, {vital}, plan {drug} {dose}.",
    "{youngage} with {symptom} and {eponym}, seen {date}, zip {zip}.",
]


def render(template: str) -> tuple[str, list[dict], list[dict]]:
    text, phi, keep = "", [], []
    position = 0
    for match in re.finditer(r"\{(\w+)\}", template):
        text += template[position : match.start()]
        slot = match.group(1)
        if slot in PHI:
            kind, make = PHI[slot]
            value = make()
            phi.append({"start": len(text), "end": len(text) + len(value), "type": kind, "value": value})
        else:
            kind, make = KEEP[slot]
            value = make()
            keep.append({"start": len(text), "end": len(text) + len(value), "kind": kind, "value": value})
        text += value
        position = match.end()
    text += template[position:]
    return text, phi, keep


def typo(text: str, protected: list[tuple[int, int]]) -> str:
    """Swap two adjacent letters inside one unprotected word longer than four letters."""
    words = [m for m in re.finditer(r"[a-z]{5,}", text) if not any(s <= m.start() < e for s, e in protected)]
    if not words:
        return text
    word = rng.choice(words)
    i = rng.randint(word.start() + 1, word.end() - 3)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def make_message(index: int) -> dict:
    voice = "clinician" if rng.random() < 0.35 else "patient"
    template = rng.choice(CLINICIAN if voice == "clinician" else PATIENT)
    text, phi, keep = render(template)
    protected = [(s["start"], s["end"]) for s in phi + keep]
    roll = rng.random()
    if roll < 0.1:
        text = text.lower()
        for span in phi + keep:
            span["value"] = span["value"].lower()
    elif roll < 0.25:
        text = typo(text, protected)
    return {"id": f"phi-{index:04d}", "voice": voice, "text": text, "phi": phi, "keep": keep}


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    messages = [make_message(i) for i in range(COUNT)]
    for message in messages:
        for span in message["phi"] + message["keep"]:
            assert message["text"][span["start"] : span["end"]] == span["value"], (message, span)
    with OUT.open("w", encoding="utf-8") as handle:
        for message in messages:
            handle.write(json.dumps(message, ensure_ascii=False) + "\n")
    print(
        f"{len(messages)} messages, {sum(len(m['phi']) for m in messages)} PHI spans, {sum(len(m['keep']) for m in messages)} keep spans -> {OUT}"
    )


if __name__ == "__main__":
    main()
