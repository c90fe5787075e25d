"""The phrases the injection screen looks for, as data: English paraphrases and the same moves in
French, Spanish, German, Portuguese, Italian, Dutch, Russian and Chinese.

Every phrase is folded like the text it is matched against (screening.fold), so it is written
here in plain spelling. A phrase is a run of words; between words the text may have any short
run of spaces or punctuation. Gaps are bounded (`{0,5}` words), so matching stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# -- "ignore the previous instructions": a verb of neglect, then what it neglects ----------------
NEGLECT = [
    # en
    "ignore", "ignoring", "disregard", "disregarding", "forget", "forgetting", "override",
    "overrule", "bypass", "skip", "discard", "drop", "abandon", "dismiss", "set aside",
    "put aside", "pay no attention to", "pay no heed to", "take no notice of", "do not follow",
    "don't follow", "do not obey", "don't obey", "stop following", "stop obeying",
    "no longer follow", "never mind", "nevermind", "throw out", "scrap", "cancel", "erase",
    "neglect", "forgo", "do not listen to", "don't listen to", "stop listening to", "unlearn",
    # fr
    "ignorez", "ignorer", "ignores", "oublie", "oubliez", "oublier", "ne tiens pas compte",
    "ne tenez pas compte", "ne pas tenir compte", "sans tenir compte", "fais abstraction",
    "faites abstraction", "passe outre", "passez outre", "laisse de cote", "laissez de cote",
    "ne suis pas", "ne suivez pas", "ne suis plus", "ne suivez plus", "n'obeis pas",
    "n'obeissez pas", "n'obeis plus", "n'obeissez plus", "negligez", "annulez",
    # es
    "ignora", "ignorad", "ignoren", "ignorar", "olvida", "olvide", "olvidad", "olviden",
    "olvidar", "olvidate", "omite", "omita", "descarta", "descarte", "no hagas caso",
    "no haga caso", "haz caso omiso", "haga caso omiso", "desatiende", "desatienda", "no sigas",
    "no siga", "deja de seguir", "deje de seguir", "pasa por alto", "pase por alto", "desestima",
    # de
    "ignoriere", "ignorier", "ignorieren sie", "ignoriert", "vergiss", "vergessen sie",
    "vergesst", "missachte", "missachten sie", "uberspringe", "ubergehe", "verwirf", "verwerfe",
    "befolge nicht", "befolgen sie nicht", "folge nicht", "setze ausser kraft",
    # pt
    "ignorem", "esqueca", "esquece", "esquecam", "esquecer", "desconsidere", "desconsidera",
    "desconsiderem", "despreze", "despreza", "nao siga", "nao sigam", "deixe de seguir",
    "pare de seguir", "nao obedeca",
    # it
    "ignorate", "ignori", "ignorare", "dimentica", "dimenticate", "dimentichi", "dimenticare",
    "trascura", "trascurate", "non seguire", "non seguite", "non segua", "non tenere conto",
    "non tenete conto", "lascia perdere", "lasciate perdere", "tralascia", "tralasciate",
    # nl
    "negeer", "negeren", "vergeet", "sla over", "volg niet",
    # ru
    "игнорируй", "игнорируйте", "проигнорируй", "проигнорируйте", "забудь", "забудьте",
    "не обращай внимания на", "не обращайте внимания на", "не слушай", "не следуй", "отбрось",
]
# What an instruction is called; enough on its own after a verb of neglect.
STRONG_OBJECTS = [
    "instructions", "instruction", "prompt", "prompts", "system message", "guardrails",
    "programming", "consignes", "consigne", "instrucciones", "instruccion", "indicaciones",
    "anweisungen", "anweisung", "instruktionen", "vorgaben", "befehle", "instrucoes",
    "orientacoes", "istruzioni", "indicazioni", "instructies", "opdrachten", "aanwijzingen",
    "инструкции", "инструкций", "указания", "команды", "todo lo anterior", "lo anterior",
    "tout ce qui precede", "ce qui precede", "alles bisherige", "alles vorherige", "alles obige",
    "tudo acima", "tudo o que foi dito", "quanto sopra", "tutto cio che precede", "всё выше",
    "все выше", "regles", "reglas", "regeln", "regras", "regole", "regels", "правила",
    "ordenes", "ordres", "ordini", "ordens", "directrices", "direttive", "diretrizes",
    "richtlinien",
]
# English words that are instructions only with a qualifier ("the above rules", "your rules").
PRIOR = [
    "previous", "previously given", "prior", "earlier", "preceding", "above", "foregoing",
    "aforementioned", "original", "initial", "old", "former", "all", "any", "every", "your",
    "these", "those", "system", "developer", "default", "hidden", "all of the", "all the",
    "any of the", "all of your",
]
WEAK_OBJECTS = [
    "rules", "rule", "guidelines", "guidance", "directions", "directives", "orders", "commands",
    "messages", "message", "context", "constraints", "policies", "restrictions", "safeguards",
    "settings", "text", "content", "conversation", "configuration", "training", "input",
    "information", "advice", "steps", "requirements", "limitations", "filters",
]
YOU_GOT = ["you", "you've", "you have", "you were", "you've been", "you have been", "i gave you",
           "we gave you", "you received", "you got", "you're"]
TOLD = ["told", "given", "instructed", "taught", "asked", "shown", "said", "written", "read",
        "learned", "received", "sent"]
EVERYTHING = ["everything", "anything", "all", "whatever", "what"]
SO_FAR = ["above", "before", "earlier", "so far", "prior", "previously", "said", "else",
          "that came before", "you know"]

# -- prior instructions declared void ---------------------------------------------------------
VOID_SUBJECTS = ["previous", "prior", "earlier", "preceding", "above", "original", "initial",
                 "old", "former", "system", "all", "your"]
VOID_OBJECTS = ["instructions", "prompt", "prompts", "directions", "directives", "guidelines",
                "guardrails", "programming"]
VOID = ["no longer apply", "no longer applies", "no longer valid", "void", "cancelled",
        "canceled", "obsolete", "outdated", "invalid", "revoked", "superseded", "overridden",
        "suspended", "do not apply", "don't apply", "are over", "replaced", "withdrawn",
        "expired", "null"]

# -- phrases that are instructions to a model wherever they occur -------------------------------
ALWAYS = [
    "previous instructions", "prior instructions", "earlier instructions", "above instructions",
    "preceding instructions", "original instructions", "initial instructions", "system prompt",
    "hidden prompt", "hidden instructions", "developer mode", "dev mode", "jailbreak",
    "jailbroken", "do anything now", "dan mode", "you are now", "you're now",
    "you are no longer", "new instructions:", "here are your new instructions",
    "these are your new instructions", "the real instructions", "updated instructions:",
    "ignore all", "pretend to be", "pretend you are", "pretend you're", "pretend that you",
    "role-play as", "roleplay as", "role play as", "tell the user", "tell the users",
    "tell the reader", "tell the readers", "end of the passages", "end of passages",
    "the passages are over", "end of the context", "end of context", "end of the documents",
    "end of the prompt", "end of system prompt", "begin new instructions",
    "begin system prompt", "begin new prompt",
    # fr
    "tu es maintenant", "vous etes maintenant", "tu es desormais", "vous etes desormais",
    "tu es a present", "vous etes a present", "agis comme", "agissez comme", "fais semblant",
    "faites semblant", "nouvelles instructions", "nouvelle consigne", "ton nouveau role",
    "votre nouveau role", "instructions precedentes",
    # es
    "ahora eres", "ahora usted es", "de ahora en adelante", "actua como", "actue como",
    "finge ser", "finja ser", "nuevas instrucciones", "tu nuevo papel", "tu nueva tarea",
    "instrucciones anteriores", "instrucciones previas",
    # de
    "du bist jetzt", "du bist nun", "du bist ab sofort", "du bist ab jetzt", "sie sind jetzt",
    "sie sind nun", "von nun an bist du", "tu so als", "tun sie so als", "verhalte dich wie",
    "verhalte dich als", "neue anweisungen", "deine neue aufgabe", "deine neue rolle",
    "vorherigen anweisungen", "bisherigen anweisungen",
    # pt
    "agora voce e", "agora tu es", "de agora em diante", "aja como", "atue como", "finja ser",
    "finja que", "novas instrucoes", "sua nova tarefa", "seu novo papel",
    "instrucoes anteriores",
    # it
    "ora sei", "adesso sei", "d'ora in poi", "da ora in poi", "da adesso in poi",
    "comportati come", "agisci come", "fingi di essere", "nuove istruzioni",
    "il tuo nuovo ruolo", "il tuo nuovo compito", "istruzioni precedenti",
    # nl
    "je bent nu", "u bent nu", "antwoord alleen", "antwoord enkel", "nieuwe instructies",
    "doe alsof", "eerdere instructies", "vorige instructies",
    # ru
    "теперь ты", "отныне ты", "отвечай только", "отвечайте только", "новые инструкции",
    "притворись", "предыдущие инструкции",
]
NEW_ROLE = ["role", "task", "goal", "job", "purpose", "objective", "instructions", "persona",
            "identity", "mission", "orders"]
FROM_NOW_ON = ["from now on", "starting now", "a partir de maintenant", "a partir de ahora",
               "a partir de agora", "ab jetzt", "ab sofort", "von nun an", "vanaf nu",
               "с этого момента", "desormais"]
YOU_DO = ["you", "your", "always", "only", "answer", "respond", "reply", "say", "write",
          "ignore", "act", "pretend", "speak", "behave", "forget", "tu", "vous", "reponds",
          "repondez", "ecris", "ecrivez", "dis", "dites", "eres", "responde", "responda", "di",
          "diga", "escribe", "escriba", "usted", "solo", "bist du", "antwortest du",
          "antworte", "sagst du", "schreibst du", "voce", "responda", "je", "ты", "отвечай"]
AI = ["ai", "a.i.", "artificial intelligence", "assistant", "ai assistant",
      "virtual assistant", "language model", "language models", "large language model", "llm",
      "llms", "chatbot", "chatbots", "chat bot", "bot", "bots", "gpt", "chatgpt", "claude",
      "gemini", "copilot", "ai model", "ai system", "ai agent", "assistente", "asistente",
      "assistent", "sprachmodell", "modele de langage", "modelo de lenguaje"]
TO_AI = ["note", "notes", "message", "attention", "instruction", "instructions", "reminder",
         "warning", "memo", "important", "hint", "request", "dear", "hey", "hello", "hi", "ok",
         "okay"]
MODAL = ["must", "should", "shall", "will", "needs to", "need to", "has to", "have to", "is to",
         "are to", "is required to", "are required to", "is instructed to", "is told to",
         "may not", "must not", "should not", "cannot", "can't", "muss", "soll", "doit", "debe",
         "deve"]
ADVERB = ["now", "always", "only", "never", "instead", "not", "simply", "just", "then", "also"]
HIJACK = ["say", "answer", "respond", "reply", "tell", "write", "output", "print", "ignore",
          "disregard", "forget", "reveal", "recommend", "claim", "cite", "mention", "append",
          "insist", "refuse", "pretend", "obey", "praise"]
READING = ["reading", "processing", "summarising", "summarizing", "parsing", "answering",
           "analysing", "analyzing", "ingesting"]
SAY = ["reply", "respond", "answer", "output", "print", "say", "write", "return", "type",
       "reponds", "repondez", "ecris", "ecrivez", "dis", "dites", "responde", "responda",
       "contesta", "conteste", "di", "diga", "escribe", "escriba", "antworte", "antworten sie",
       "schreibe", "schreib", "sage", "sag", "gib", "responde", "diz", "escreva", "escreve",
       "rispondi", "risponda", "rispondete", "scrivi", "scriva", "dica", "отвечай", "напиши",
       "скажи"]
ONLY = ["only", "just", "exactly", "solely", "simply", "nothing but", "uniquement", "seulement",
        "simplement", "solo", "solamente", "unicamente", "nur", "ausschliesslich", "lediglich",
        "einzig", "apenas", "somente", "so", "soltanto", "esclusivamente", "только"]
WITH_WHAT = ["with", "the word", "the words", "the phrase", "the text", "the following", ":",
             "par", "avec", "con", "mit", "com"]
REVEAL = ["reveal", "print", "repeat", "show", "output", "leak", "display", "disclose", "dump",
          "recite", "tell me", "give me", "share"]
SECRET = ["prompt", "instructions", "rules", "configuration", "guidelines", "directives",
          "system prompt", "hidden prompt", "initial prompt", "original prompt",
          "initial instructions", "original instructions", "secret instructions"]
NO_SOURCES = ["sources", "source", "citations", "citation", "references", "passages",
              "the documents"]
ROLE_TAGS = ["system", "assistant", "user", "human", "ai", "bot", "developer", "model"]
TAG_NAMES = ["passages", "passage", "system", "user", "assistant", "instructions",
             "instruction", "context", "documents", "document", "prompt", "human", "ai", "sys",
             "inst", "im_start", "im_end", "s", "tool", "function"]
# Chinese and Japanese have no spaces between words: matched as substrings.
CJK = [r"(?:忽略|无视|忽视|忘记|忘掉|不要理会|不理会|不要遵守|别管|無視|忘れ).{0,12}?"
       r"(?:指令|指示|提示|规则|說明|说明|要求|命令|设定|ルール)",
       r"你现在是", r"从现在开始", r"只回答", r"只回复", r"系统提示", r"以前の指示"]


class Rules:
    """The rules compiled over folded text. Each runs only on text holding one of its trigger
    words (a set lookup), so the common case, text with none of them, costs one tokenisation
    instead of hundreds of alternatives tried at every position."""

    _WORDS = re.compile(r"[\w']+")

    def __init__(self, rules: list[tuple[frozenset[str] | str, str]]) -> None:
        self.by_word = [(words, re.compile(rx)) for words, rx in rules if not isinstance(words, str)]
        self.by_char = [(chars, re.compile(rx)) for chars, rx in rules if isinstance(chars, str)]

    def search(self, folded: str) -> bool:
        words = set(self._WORDS.findall(folded))
        words |= {w.replace("'", "") for w in words if "'" in w}
        for triggers, pattern in self.by_word:
            if not triggers.isdisjoint(words) and pattern.search(folded):
                return True
        return any((chars == "" or chars in folded or (chars == "cjk" and not folded.isascii()))
                   and pattern.search(folded) for chars, pattern in self.by_char)


def build_pattern(fold: Callable[[str], str]) -> Rules:
    """The rules above, compiled over folded text."""

    def alt(items: list[str]) -> str:
        phrases = sorted({fold(item) for item in items}, key=len, reverse=True)
        return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\W{1,3}").replace("'", "'?")
                                for p in phrases) + ")"

    def first(*lists: list[str]) -> frozenset[str]:
        words = {re.findall(r"[\w']+", fold(item))[0] for items in lists for item in items
                 if re.findall(r"[\w']+", fold(item))}
        return frozenset(words | {w.replace("'", "") for w in words})

    def gap(words: int) -> str:
        return rf"(?:\W{{1,3}}\w{{1,30}}){{0,{words}}}\W{{1,3}}"

    sep = r"\W{1,3}"
    reference = (
        rf"(?:{alt(PRIOR)}{gap(2)}{alt(WEAK_OBJECTS)}\b"
        rf"|{alt(WEAK_OBJECTS)}{sep}(?:that{sep})?{alt(YOU_GOT)}\b"
        rf"|{alt(EVERYTHING)}{sep}(?:that{sep})?{alt(YOU_GOT)}{gap(2)}{alt(TOLD)}\b"
        rf"|{alt(EVERYTHING)}{sep}{alt(SO_FAR)}\b|the{sep}above\b|what{sep}came{sep}before)")
    say = ["reply", "respond", "answer", "output", "print"]
    rules = [
        (first(NEGLECT), rf"\b{alt(NEGLECT)}{gap(5)}(?:{alt(STRONG_OBJECTS)}\b|{reference})"),
        (first(["beachte", "befolge", "folge", "beachten", "befolgen", "folgen"]),
         rf"\b(?:beachte|beachten{sep}sie|befolge|befolgen{sep}sie|folge|folgen{sep}sie)"
         rf"{gap(4)}{alt(STRONG_OBJECTS)}{sep}nicht\b"),
        (first(VOID_SUBJECTS),
         rf"\b{alt(VOID_SUBJECTS)}{gap(2)}{alt(VOID_OBJECTS)}{gap(3)}{alt(VOID)}\b"),
        (first(ALWAYS), rf"\b{alt(ALWAYS)}(?:\b|(?<=:))"),
        (first(["your"]), rf"\byour{sep}new{sep}{alt(NEW_ROLE)}\b"),
        (first(FROM_NOW_ON), rf"\b{alt(FROM_NOW_ON)}{sep}{alt(YOU_DO)}\b"),
        (first(["act", "behave", "simulate", "pose"]),
         rf"\b(?:act|behave|simulate|pose){sep}as{sep}(?:an?{sep}|the{sep})?"
         rf"(?:{alt(AI)}|unrestricted|uncensored|evil|dan)\b"),
        (first(TO_AI), rf"\b{alt(TO_AI)}{sep}(?:(?:to|for){sep})?"
                       rf"(?:the{sep}|any{sep}|all{sep}|an?{sep}|every{sep})?{alt(AI)}\b"),
        (first(["if"]), rf"\bif{sep}you{sep}(?:are|'re|re){sep}(?:an?{sep}|the{sep})?{alt(AI)}\b"),
        (first(AI), rf"\b{alt(AI)}{sep}{alt(READING)}{sep}(?:this|these|the{sep}following)\b"),
        (first(AI),
         rf"\b{alt(AI)}{gap(2)}{alt(MODAL)}{sep}(?:{alt(ADVERB)}{sep}){{0,3}}{alt(HIJACK)}\b"),
        (first(["you"]), rf"\byou{sep}{alt(MODAL)}{sep}(?:{alt(ADVERB)}{sep}){{0,3}}"
                         rf"{alt(say)}{sep}(?:{alt(ONLY)}{sep})?(?:with|by{sep}saying)\b"),
        (first(SAY), rf"\b{alt(SAY)}{sep}{alt(ONLY)}{sep}{alt(WITH_WHAT)}"),
        (first(SAY),
         rf"\b{alt(SAY)}{sep}(?:with|avec|con|mit|com){sep}(?:{alt(ONLY)}|nothing{sep}but)\b"),
        (first(say), rf"^\W{{0,4}}{alt(say)}{sep}with\b"),
        (first(["instead"]), rf"\binstead{sep}(?:say|tell|answer|reply|respond|output|print)\b"),
        (first(REVEAL), rf"\b{alt(REVEAL)}{sep}(?:me{sep})?(?:your|the|all{sep}of{sep}your|"
                        rf"all{sep}your){gap(2)}{alt(SECRET)}\b"),
        (first(["do", "don't", "never"]),
         rf"\b(?:do{sep}not|don't|never){sep}(?:cite|mention|include|show|list|reveal|give)"
         rf"{sep}(?:any{sep}|the{sep}|your{sep})?{alt(NO_SOURCES)}\b"),
        (first(ROLE_TAGS), rf"^\W{{0,4}}{alt(ROLE_TAGS)}\s?:"),
        ("<", rf"<\s?/?\s?{alt(TAG_NAMES)}\b[^<>]{{0,40}}>|<\|[^|<>]{{0,30}}\|>|<</?sys>>"),
        ("[", r"\[/?inst\]|\[/?(?:system|assistant|user)\]"),
        ("#", r"#{1,6}\W{0,3}(?:instruction|instructions|system|response|input|assistant|user)\b"),
        ("cjk", "|".join(CJK)),
    ]
    return Rules(rules)
