"""The patient messages the load client sends, in rotation: mostly everyday complaints, some PHI, one emergency.

Fixed and small on purpose, so every system in a run sees the same text. One in ten is an emergency (it takes
the fixed emergency script instead of the engine under test), three carry PHI for the redactor to find.
"""

from __future__ import annotations

MESSAGES: tuple[str, ...] = (
    "I have had a runny nose and a mild sore throat since yesterday",
    "Hi, my name is Johnathan Whitaker and I have had a cough for 3 days, no fever",
    "My ankle is swollen after I twisted it playing football this morning, I can still walk on it",
    "I have a headache and feel tired, I slept badly last night",
    "My daughter Emily has had a temperature of 38.2 since this morning and is drinking less than usual",
    "I have crushing chest pain going down my left arm and I am sweating",
    "I have had diarrhoea twice today, no blood, I can keep fluids down",
    "Call me on 415-555-0192 please, I have a rash on my arm that itches",
    "I feel a burning when I pee and need to go more often since two days",
    "My back hurts after lifting boxes yesterday, no numbness, no problems passing urine",
)

#: Ten sequential questions for the llama.cpp comparison: no PHI, no emergencies (each reaches the model).
LLM_MESSAGES: tuple[str, ...] = (
    "I have had a runny nose and a mild sore throat since yesterday",
    "I have a headache and feel tired, I slept badly last night",
    "My ankle is swollen after I twisted it this morning, I can still walk on it",
    "I have had diarrhoea twice today, no blood, I can keep fluids down",
    "I have a dry cough for three days and no fever",
    "I feel a burning when I pee and need to go more often",
    "My back hurts after lifting boxes yesterday, no numbness",
    "I have a blocked nose and pressure over my cheeks",
    "I have a small cut on my finger that is a bit red",
    "My eyes are itchy and watery since the pollen season started",
)
