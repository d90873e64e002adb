"""The rule coder's word lists: its lexicons as data, grouped by the behaviour code they serve.

evals/coding/rules.py compiles these and holds all the logic that uses them. Conventions:

- a pattern is a regular expression matched against the turn lowercased, with curly quotes
  and apostrophes made straight;
- a literal space in a pattern matches any run of whitespace (`rules._compile`);
- a tuple of patterns is one alternation;
- gaps are bounded (``[^.!?]{0,60}``), never nested unbounded quantifiers, so that a
  20,000-character turn stays fast;
- the `*_WORDS` sets are plain words, compared with a short turn's words.

These lexicons are features of the trained coder too (`rules.lexicon_features`): any change
here changes what it sees, so retrain (`python -m evals train`) and rerun the benchmark.
"""

from __future__ import annotations


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated string, as a set."""
    return frozenset(words.split())


# --- shared: dates and times, fillers ---------------------------------------------

# Days, times and dates: a follow-up with one is a next step; a persona's "by Friday" is a demand.
DAY = r"(?:monday|tuesday|wednesday|wensday|thursday|friday|saturday|sunday|mon|tues?|wed|thu|thurs|fri)"
NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon)"
DATE = (
    rf"(?:\b{DAY}\b|\btomorrow\b|\btonight\b|\btoday\b|\bthis (?:afternoon|morning|evening|week)\b"
    r"|\bnext (?:week|month|sprint)\b|\bend of (?:the )?(?:day|week|month|sprint)\b|\b(?:eod|eow|cob)\b"
    rf"|\bat (?:\d{{1,2}}(?::\d\d)?|{NUMBER_WORD})\b|\b\d{{1,2}}(?::\d\d)?\s?(?:am|pm)\b"
    r"|\bin (?:a|an|one|two|three|four|\d+) (?:days?|weeks?|hours?)\b|\bfirst thing\b"
    r"|\b(?:by|at|before) (?:noon|midday|lunch(?:time)?)\b|\b\d{1,2}(?:st|nd|rd|th)\b|\b(?:jan|feb|mar|apr|jun|jul|"
    r"aug|sep|sept|oct|nov|dec)[a-z]* \d{1,2}\b)"
)
# Openers skipped before a sentence's form is judged ("okay, so, um ...").
FILLER = (
    r"(?:so|and|but|okay|ok|right|alright|all right|well|yeah|yes|hmm+|um+|uh+|oh|ah|look|listen|honestly"
    r"|also|then|now|sure|great|cool|thanks|thank you|got it|i see|understood|fair enough|anyway|hey|hi|hello"
    r"|sorry|ah okay|actually|just|one more thing|quick question|and also)\b[\s,.!:;-]*"
)


# --- open_question and closed_question --------------------------------------------

# Question forms, read at the start of a sentence or clause.
AUXILIARY = (
    r"(?:do|does|did|is|are|was|were|am|have|has|had|can|could|would|will|should|shall|may|might"
    r"|isn'?t|aren'?t|don'?t|doesn'?t|didn'?t|won'?t|wouldn'?t|can'?t|couldn'?t|haven'?t|hasn'?t|shouldn'?t)\b"
)
WH_WORD = r"(?:what|whats|what's|how|hows|how's|why|why's|when|where|who|whom|whose|which)\b"
# Tag questions ("..., okay?", "Deal?") are not questions.
TAG_ONLY = (
    r"(?:okay|ok|right|deal|agreed|alright|all right|yeah|yes|fair|sound good|sounds good|good|cool|got it"
    r"|understood|make sense|makes sense|no|eh|ya|capisce)\W*$"
)
TAG_END = (
    r",\s*(?:okay|ok|right|deal|agreed|alright|all right|yeah|fair|sound good|sounds good|got it|understood"
    r"|make sense|makes sense|eh|ya|yes|no)\s*[?!.]*$"
)
# Checks ("is that right?"): a closed question only when the turn has no reflection or summary.
CHECK_QUESTION = (
    r"(?:is that|is this|was that) (?:about |roughly |more or less )?(?:right|fair|correct|accurate|it|close)\b",
    r"(?:does|did) (?:that|this|it) (?:sound (?:right|fair|accurate)|fit|capture|land|ring true|cover it|sum it up)\b",
    r"(?:did|have|do) i (?:get|got|have|understand) (?:that|it|this|you|everything) (?:right|correctly)?",
    r"am i (?:getting|reading|hearing) (?:that|it|this|you) (?:right|correctly)\b",
    r"(?:have|did) i (?:missed|miss|left out|leave out) (?:anything|something)\b",
    r"anything (?:i(?:'ve| have)? missed|i'm missing|i am missing)\b",
)
# Suggestions in question form ("how about we ...") are not questions; with a date, a next step.
SUGGESTION_QUESTION = (
    r"how about\b(?! you\W*$)",
    r"what about (?:we|if|i|us)\b",
    r"what if (?:we|i)\b",
    r"why don'?t we\b",
    r"why not (?:we|meet|try|set|book|start|do)\b",
)
# Open questions asked politely ("could you walk me through ...", "can you explain ...").
POLITE_OPEN = (
    r"(?:can|could|would|will) (?:you|u) (?:please )?(?:tell|walk|talk|take) me (?:through|about|more|what|how|why|"
    r"where|a bit|a little)",
    r"(?:can|could|would|will) you (?:please )?(?:say|share|tell me|explain) (?:a bit |a little |some )?more\b",
    r"(?:can|could|would) you (?:please )?(?:explain|describe|elaborate|help me understand|unpack)\b",
)
# Closed questions: facts and amounts although they open with a wh-word ("how many", "when"), and
# yes-or-no asks ("anything else?", "you okay?").
CLOSED_FACT = (
    r"how (?:many|much|long|often|old|soon|far)\b",
    r"what (?:time|day|date|number)\b",
    r"what(?:'s| is| was|s) (?:the|your) (?:deadline|date|due date|budget|eta|number|ticket|cost|price|name|email|"
    r"title|time|headcount)\b",
    r"(?:when|who|whom|whose|which)\b",
    r"where (?!do you see|would you like|do you want|are you hoping|is this coming from)",
)
CLOSED_OTHER = (
    r"is there anything\b",
    r"(?:anything|any) (?:else|update|news|luck|progress|chance|idea|thoughts|questions|concerns|feedback|"
    r"objections)\b",
    r"(?:you|u) (?:okay|ok|alright|all right|good)\b",
    r"everything (?:ok|okay|alright|all right|good|fine)\b",
)
# Open questions without a question word ("tell me more", "I'm curious what ...").
OPEN_INDIRECT = (
    r"(?:please )?tell me (?:about|more|what|how|why|where|a bit|a little|the story|your|everything|whats|what's)\b",
    r"(?:please )?(?:walk|talk|take) me through\b",
    r"help me understand\b",
    r"say (?:a bit |a little )?more about\b",
    r"i'?d (?:love|like) to (?:hear|know|understand|learn) (?:more|about|what|how|why|where|your)\b",
    r"i'?m (?:curious|interested) (?:about|what|how|why|to hear|to know|in hearing|in what|in how)\b",
    r"i (?:wonder|am wondering)|i'm wondering",
    r"let me know (?:what|how) you (?:think|feel|see)\b",
)
# Questions asked without a question mark.
NO_MARK_QUESTION_START = (
    rf"{WH_WORD} (?:is|are|was|were|do|does|did|can|could|would|will|should|has|have|had|made|happened|went"
    r"|kind|sort|part|else|exactly|specifically|would|got|gets|makes|worries|concerns|matters|helps|went)\b",
    r"(?:whats|what's|hows|how's|whos|who's|wheres|where's) \w+",
    r"(?:could|can|would) you tell me\b",
    r"(?:do|did|does|are|is|have|has|can|could|would|will|should) (?:you|we|they|he|she|it|there|that|this|u)\b",
)
# Words ignored when telling whether a question only echoes the persona's ("What do I want?").
PRONOUNS = word_set("i you me my your we us our mine yours it")


# --- reflection -------------------------------------------------------------------

# Feelings and situations a reflection names ("you're worried", "you're the one carrying it").
FEELING = (
    r"(?:frustrat\w*|frustated|worried|worr(?:y|ying)|concerned|upset|tired|exhausted|stuck|overwhelmed|stressed"
    r"|disappointed|angry|annoyed|anxious|nervous|hurt|burn(?:ed|t) out|fed up|overlooked|undervalued"
    r"|unappreciated|ignored|blindsided|sidelined|under (?:a lot of |real |huge )?pressure|in a (?:tough|difficult|"
    r"hard|tricky) (?:spot|position)"
    r"|in a bind|stretched|swamped|drowning|torn|confused|unsure|not sure|uncertain|excited|keen|proud|eager"
    r"|bored|lost|demotivated|unmotivated|isolated|out of the loop|left out|caught (?:in the middle|between)"
    r"|on the hook|taking the heat|carrying|juggling|the one (?:who|that|taking|doing|carrying|left)|doing the work of"
    r"|pulled (?:in|between)|scared|afraid|embarrassed|unhappy|relieved|passed over|skipped over|hoping|waiting"
    r"|looking for|asking for|wanting|wondering|saying|not getting|being asked|expected to|trying to|left to"
    r"|questioning|ready to (?:give up|quit|leave)|thinking (?:about|of) (?:leaving|quitting))"
)
# "You must be exhausted" and "you must have spent hours on it" infer a feeling or an act;
# "you must be on time" and "you must have it by Friday" tell the other what to do.
MUST_FEEL = (
    r" (?:be|have been|'ve been|feel|have felt) (?:really |pretty |so |quite |completely |absolutely )?"
    r"(?:tired|exhausted|frustrated|fed up|gutted|worried|anxious|disappointed|relieved|proud|shattered|drained|"
    r"sick of|stressed|overwhelmed|furious|angry|upset|hurt|nervous|torn|pleased)\b"
)
EPISTEMIC_MUST = (
    MUST_FEEL + r"|(?: have|'ve) (?:put|spent|done|had|made|taken|gone|seen|known|thought|lost|left|kept|sent|"
    r"been|felt|heard|noticed|worked|wondered|struggled|found|wanted|hoped|expected)\b"
)
# Restatements in the other's frame, at a clause's start ("sounds like", "you felt").
REFLECTION_START = (
    r"(?:it )?sounds (?:like|as if|as though)\b",
    r"(?:it )?(?:seems|looks|feels) (?:like|as if|as though) (?:you|your|this|that|it'?s been|things|the|nobody|"
    r"no one)\b",
    r"(?:it )?seems (?:that )?(?:you|your)\b",
    r"what i(?:'m| am| am) hearing (?:is|from you)\b|what i hear (?:is|you saying)\b",
    r"if i(?:'m| am) hearing you (?:right|correctly)\b|if i understand (?:you )?(?:right|correctly)\b",
    r"in other words\b",
    rf"(?:you(?:'re| are|re)|your|ur|u r) (?:really |pretty |quite |feeling |a bit |a little |very |so |kind of |"
    rf"sort of |clearly |still |also |just ){{0,3}}{FEELING}",
    r"(?:you|u) (?:feel|felt|are feeling|were feeling|sound|seem|seemed)\b",
    r"you(?:'ve| have) been (?:carrying|juggling|doing|working|covering|holding|dealing|left|stuck|asked|waiting|"
    r"trying|feeling|putting|taking|picking)\b",
    r"you (?:really )?want(?:ed)? (?:more|some|a|an|the|someone|somebody|people|them|him|her|your|recognition|"
    r"clarity|credit|support|to know|to feel|to be (?:seen|heard|recogni[sz]ed|trusted|involved|included|consulted|"
    r"taken))\b",
    r"you need(?:ed)? (?:more|some) (?:support|time|clarity|help|recognition|space|notice|visibility)\b",
    r"you(?:'d| would) (?:like|have liked|hoped|prefer|rather)\b",
    r"you were (?:hoping|expecting|counting on|looking forward|promised|told|left|blindsided|caught)\b",
    r"you (?:really |genuinely )?(?:care|cared) (?:a lot |deeply )?about\b",
    r"you (?:didn'?t|don'?t|haven'?t|never) (?:feel|felt|get|got|have|had) (?:heard|listened|seen|supported|enough|"
    r"any|much|credit|recognition|clarity|support|a say|the support|the time)\b",
    r"(?:this|that) (?:has been|is|feels|must be|must have been|must've been) (?:really |pretty |so |"
    r"quite )?(?:hard|tough|difficult|frustrating|stressful|exhausting|a lot|draining|painful|disappointing|"
    r"upsetting|rough|overwhelming|unsettling) for you\b",
    r"(?:that|this|it) (?:sounds|must|must've|must have) (?:be |been |feel |felt |like it was |"
    r"like it's been )?(?:really |pretty |so |quite |incredibly )?(?:hard|tough|difficult|frustrating|stressful|"
    r"exhausting|a lot|draining|painful|disappointing|upsetting|rough|overwhelming|unsettling|annoying|maddening|"
    r"demorali[sz]ing|scary|lonely)\b",
    r"for you,? (?:the|this|it|that|what)\b",
    r"part of you\b",
    r"you must" + MUST_FEEL,
)
SO_RESTATEMENT = (  # a sentence opening "So ..." that restates, not "So I'll ..." or "So what ..."
    r"so,? (?!(?:i|i'm|i'll|i've|i'd|im|ill|we|we're|we'll|let|let's|lets|that's|thats|yeah|anyway|what|how|why|when"
    r"|where|who|which|can|could|would|will|do|does|did|is|are|am|please|just|basically|moving|if|going|next|for now"
    r"|far|to|overall|here|there|the plan|my|our|in summary|to sum|you (?:should|need to|have to|must|could|might"
    r"|ought|can|will|'ll|better))\b)"
)
SO_REFLECTION = SO_RESTATEMENT + r"[^.!?]{0,200}?\b(?:you|your|you're|you've|youre)\b"


# --- summary ----------------------------------------------------------------------

# A summary's marker ("let me check I've got this"), then two points or more, cut at these separators.
SUMMARY_MARKER = (
    r"\blet me (?:check|make sure|see if) (?:i'?ve|i have|i) (?:got|get|have|understood|understand|heard)\b",
    r"\blet me (?:sum(?:marise|marize)?|recap|pull (?:this|that|it|these|those) together|play (?:that|it|this|"
    r"back)|reflect back|try to sum)",
    r"\b(?:to|let me|so to|just to) (?:sum up|summari[sz]e|recap)\b",
    r"\bin summary\b|\bto sum it up\b",
    r"\b(?:putting|pulling|if i put|if i pull) (?:it|this|that|all (?:of )?(?:this|that|it)) together\b",
    r"\bso far (?:i'?ve heard|you'?ve (?:said|told me|mentioned))\b",
    r"\bhere'?s what i'?(?:ve heard|m hearing)\b|\bwhat i'?ve heard (?:so far |today )?is\b",
    r"\b(?:i'?m hearing|you'?ve raised|you'?ve mentioned|you'?ve told me about) (?:three|3|a few|several|"
    r"a couple of) (?:things|points|issues|concerns)\b",
    r"\bif i(?:'ve| have) got (?:this|it|that|everything) right\b",
)
POINT_SEPARATOR = r"[,;:]|\band\b|\bplus\b|\balso\b|\bthen\b|[-–—]"


# --- affirmation ------------------------------------------------------------------

# Effort or strength named as such ("you stepped up", "thanks for staying late").
AFFIRM_EFFORT_STRONG = (
    r"\byou(?:'ve| have)? (?:really |clearly |obviously |also |always |consistently )?(?:stepped up|(?:go|went|"
    r"gone) (?:above and beyond|the extra mile|out of your way)"
    r"|took the (?:initiative|lead)|taken the (?:initiative|lead)|worked (?:really |so |incredibly )?hard on|"
    r"put (?:in )?(?:so much|a lot of|real|serious|huge|a ton of|loads of) (?:work|effort|time|care|thought)"
    r"|did (?:a |such a )?(?:great|excellent|brilliant|fantastic|solid|really good|good|superb|thorough|"
    r"careful) (?:job|work) (?:on|with|of|in)"
    r"|done (?:a |such a )?(?:great|excellent|brilliant|fantastic|solid|really good|good|superb|thorough|"
    r"careful) (?:job|work) (?:on|with|of|in)"
    r"|handled [^.!?]{0,40}?\b(?:really |so |incredibly )?(?:well|calmly|professionally|gracefully|brilliantly|"
    r"patiently)"
    r"|kept (?:the team|everyone|us|the project|things) (?:going|together|on track|calm|afloat)|pulled (?:it|this|"
    r"that|everything) (?:off|together)"
    r"|made (?:a )?(?:real|big|huge) (?:difference|impact))\b",
    r"\b(?:that|it) took (?:real |a lot of |some )?(?:courage|guts|effort|patience|persistence|nerve|initiative)\b",
    r"\b(?:i (?:really )?(?:appreciate|noticed|value|admire|respect|loved)|i was (?:really )?impressed by|"
    r"i'?m (?:really )?impressed by) (?:the way you|how you|that you(?:'ve| have)? (?:stayed|took|put|stepped|"
    r"handled|kept|went|worked|pulled|caught|covered|raised|flagged|mentored|fixed|delivered|got|managed|"
    r"organi[sz]ed|prepared)|you (?:raising|flagging|being (?:honest|open|upfront|candid|straight)|telling me|"
    r"taking the time|coming to me|sharing|bringing|staying|covering|stepping|jumping|catching|mentoring)|"
    r"your (?:honesty|candou?r|initiative|persistence|thoroughness|preparation|work on|effort on|effort with|"
    r"hard work|care with|attention to detail|openness))",
    r"\bthank(?:s| you)(?: so much| again)? for (?:taking (?:the time|the lead|on)|being (?:so )?(?:honest|open|"
    r"upfront|candid|straight)|raising|flagging|telling me|sharing|bringing (?:this|that|it) (?:up|to me)|"
    r"staying (?:late|on)|covering|stepping (?:in|up)|jumping in|pulling (?:that|this|it|the \w+) together|"
    r"putting (?:that|this|it|the \w+) together|digging into|catching|handling|all the (?:work|effort|hours)|"
    r"the (?:work|effort|detail) (?:on|in|you)|your (?:work|effort|hard work|help) (?:on|with))",
    r"\b(?:great|excellent|brilliant|nice|fantastic|solid|impressive|outstanding|superb|really good|careful|"
    r"thorough) (?:work|job|catch|call|thinking|analysis|presentation|write-up|writeup|fix) (?:on|with|in|spotting|"
    r"catching|getting|handling) (?:the|your|that|this|those|these|how)\b",
    r"\byour (?:work|effort|analysis|report|deck|presentation|prep|preparation|handling|documentation|code review|"
    r"mentoring|persistence|attention to detail|write-up) (?:on|for|with|of) (?:the|that|this|those|"
    r"these) [^.!?]{1,50}?\b(?:was|were|is|has been|made|saved|helped|really|got)\b",
    r"\byou(?:'re| are) (?:really |genuinely |clearly |so )?(?:good|great|skilled|talented|strong|excellent|"
    r"brilliant) (?:at|with) \w+",
)
# An act ("you rewrote the tests") that counts only with praise in the same sentence.
AFFIRM_EFFORT_NEEDS_PRAISE = (
    r"\byou(?:'ve| have)? (?:led|drove|owned|ran|mentored|rewrote|wrote|built|created|set up|took on|volunteered|"
    r"stayed late|came in early|covered for|caught|fixed|"
    r"delivered|organi[sz]ed|mentored|prepared|handled|managed to|got the \w+ out|shipped|turned around|"
    r"finished)\b"
)
PRAISE_MARKER = (
    r"\b(?:i noticed|i saw|appreciate|thank|thanks|impressive|impressed|well done|great|brilliant|excellent|"
    r"made a (?:real |big )?difference|saved|helped|grateful|kudos|nice|exactly the kind|the kind of impact|"
    r"impact|strong work|i noticed)\b"
)


# --- dismissal --------------------------------------------------------------------

# Brushing a concern off ("calm down", "it's not a big deal"), or changing the subject.
DISMISSAL = (
    r"\bcalm down\b|\brelax\b|\bchill out\b",
    r"\bdon'?t (?:worry|stress|fret) about (?:it|that|this)\b|\b(?:there'?s )?(?:no need|nothing) to (?:worry|"
    r"stress|panic|get upset|be upset)\b|\bstop worrying\b|\byou worry too much\b",
    r"\b(?:it'?s|that'?s|this is|its|thats) (?:not|hardly|no) (?:a |that |such a )?(?:big|huge) deal\b|"
    r"\bno big deal\b|\bnot a big deal\b",
    r"\b(?:it'?s|that'?s|its|thats) (?:really )?not (?:that bad|that serious|a problem|important|relevant|a crisis)\b",
    r"\b(?:everyone|everybody|we all|all of us)(?:'s| is| are|'re)? (?:busy|stressed|tired|swamped|overworked|"
    r"in the same boat|under pressure|gets|has|have|feels|deals|been there)\b",
    r"\byou(?:'re| are|re) (?:just |being )?(?:overreacting|over-reacting|too (?:sensitive|emotional)|(?:so |"
    r"too )?dramatic|oversensitive)\b|\byou(?:'re| are) making (?:a big deal|too much|a mountain)\b",
    r"\byou'?re (?:over-?thinking|overcomplicating)\b|\b(?:it'?s|that'?s) (?:nothing|no biggie)\b[,.!]|"
    r"\bget over it\b|\bjust (?:get over|move past|deal with) it\b|\blet it go\b|\bsuck it up\b|\btoughen up\b",
    r"\bdon'?t take it (?:so )?personally\b|\bit is what it is\b|\bthat'?s (?:just )?(?:how it is|life|the job|"
    r"how things (?:are|work)|business)\b|\bwelcome to the (?:real world|club)\b",
    r"\b(?:anyway|anyhow),? (?:moving on|let'?s (?:move on|talk about|get back|focus|change))\b|"
    r"\blet'?s change the subject\b",
    r"\blet'?s not (?:dwell|get into|go there|make (?:this|it) (?:a thing|a big deal)|worry about)\b",
    r"\byou'?ll (?:be fine|get over it|survive)\b|\bi don'?t have time for this\b|\b(?:it'?s|that'?s) not my problem\b",
    r"\bhappens to (?:everyone|everybody|all of us|the best of us)\b|\bit'?s fine,? (?:really|honestly|seriously)\b",
)
TURN_OPENER_DISMISSAL = r"(?:anyway|anyhow|moving on|whatever)\s*[,.!:;\u2013\u2014-]"  # at the very start of the turn


# --- blame ------------------------------------------------------------------------

# Sarcastic praise ("great job, genius").
SARCASM = (
    r"\b(?:great|nice|brilliant|fantastic|wonderful|perfect|terrific|lovely|well done|good job|nice job|great job|"
    r"nice work|great work|bravo|congratulations|congrats)\b[,!\s]{0,3}[^.!?]{0,40}?\b(?:genius|einstein|sherlock|"
    r"another (?:missed|delay|outage|bug|excuse)|yet again|as usual|for nothing|breaking|broke|missing|ruining|"
    r"messing|losing|forgetting|blowing|crashing|dropping|you really outdid)\b",
    r"\b(?:oh|wow|yeah),? (?:great|brilliant|wonderful|fantastic|perfect|nice|just great|lovely)\b",
    r"\bthanks (?:a lot|a bunch|so much) for (?:nothing|ruining|breaking|making (?:this|it|my)|dumping)\b|"
    r"\bthanks for nothing\b",
    r"\b(?:real|really) (?:smooth|genius|great) move\b|\boutdid yourself\b|\bslow clap\b|\bway to go\b",
    r"\bthanks for finally\b",
)
# Fault-finding, accusations and accusing questions ("why didn't you", "you never listen").
BLAME = (
    r"\b(?:it'?s|this is|that'?s|its|thats) (?:all )?(?:on you|your fault|your problem|your mess|your doing)\b|"
    r"\byour fault\b",
    r"\b(?:this|that|it)(?:'s| is) (?:a |an |an absolute |a complete |a total )?(?:mess|disaster|joke|shambles|"
    r"embarrassment|farce)\b",
    r"\byou never (?:listen|do|finish|deliver|respond|reply|answer|tell|follow|check|help|think|read|show up|meet|"
    r"hit|take|bother|learn|care|get (?:anything|it))\b",
    r"\byou always (?:\w+ ){0,2}?(?:miss|forget|ignore|complain|make excuses|drop|leave|blame|push back|do this|"
    r"do that|turn up late|show up late|late|say that|have an excuse|find a reason|seem to)\b",
    r"\byou (?:keep|kept) (?:on )?(?:missing|forgetting|ignoring|making|dropping|messing|screwing|breaking|"
    r"complaining)\b",
    r"\byou(?:'re| are|re) (?:being |just |so |too |completely |totally |clearly ){0,2}(?:useless|lazy|incompetent|"
    r"careless|sloppy|unprofessional|ridiculous|unreasonable|impossible|hopeless|clueless|the problem|a problem|"
    r"childish|rude|selfish|out of line|not listening|not even trying|making excuses|wrong|difficult|a liability)\b",
    r"\byou(?:'re| are) the one (?:who|that) (?:broke|messed|screwed|missed|forgot|dropped|caused|lost|delayed)\b",
    r"\bwhat were you thinking\b|\bwhat (?:have|has|did) you (?:even|actually|been even|possibly) |\bwhat(?: is|"
    r"'s) wrong with you\b|\bwhat have you even\b",
    r"\bhow (?:many times|hard can it be|hard is it|could you|did you manage to|is this so hard|difficult (?:can|"
    r"is) it|dare you|is that my problem|is this my problem)\b",
    r"\bwhy (?:didn'?t|can'?t|couldn'?t|won'?t|wouldn'?t|haven'?t|hasn'?t|weren'?t|wasn'?t) you\b|\bwhy (?:do|"
    r"are) you always\b|\bwhy on earth\b|\bwhy the hell\b|\bwhy would you (?:ever |even )?(?:do|think|say|send|"
    r"let)\b|\bwhy is it always\b",
    r"\b(?:do|did) you even\b|\bare you (?:serious|kidding|joking|for real|even (?:listening|trying))\b|"
    r"\bseriously\?|\bis it (?:really )?that hard\b|\bwho (?:does that|in their right mind)\b",
    r"\bisn'?t it obvious\b|\bdidn'?t i (?:tell|ask|say)\b|\bhaven'?t i (?:told|asked|said)\b|"
    r"\baren'?t you supposed to\b|\bdon'?t you (?:care|know how|understand|get it|read)\b|\bwhat did you expect\b|"
    r"\bwhat'?s the point\b",
    r"\byou (?:should|could)(?:'ve| have| of) (?:at least )?(?:been|done|told|asked|said|known|checked|sent|called|"
    r"come|raised|flagged|read|listened|thought|seen|gone|made|let|given|finished|tested|informed|warned|caught|"
    r"noticed|planned|started|spoken|double-checked)\b",
    r"\byou were supposed to\b|\bif you(?: had|'d) (?:just |only |actually )?(?:bothered|listened|read|done|"
    r"checked|paid attention|tested|asked)\b|\bbecause of you\b|\bthanks to you,|\bi can'?t believe you\b",
    r"\byou (?:messed|screwed|stuffed) (?:up|it up|this up)\b|\byou dropped the ball\b|\byou blew it\b|"
    r"\byou (?:failed|ruined|broke|wrecked|botched|sabotaged)\b|\byou didn'?t (?:even )?bother\b",
    r"\b(?:your|the) team (?:screwed|messed|dropped|failed|broke|can'?t|never|always) |\byou people\b|\bgrow up\b|"
    r"\bget (?:it|your act|yourself) together\b",
    r"\bstop (?:whining|complaining|making excuses|blaming|moaning)\b",
    r"\b(?:that'?s|this is|it'?s) (?:just |frankly |completely |totally |absolutely )?(?:ridiculous|absurd|"
    r"pathetic|unacceptable|insane|outrageous|nonsense|rubbish|a joke|laughable|lazy|sloppy)\b",
    r"\b(?:this|that|the|your) \w+ (?:is|was|looks) (?:so |really |just |frankly |completely )?(?:sloppy|lazy|useless|"
    r"a mess|a joke|garbage|rubbish|unacceptable|amateurish|careless|shoddy)\b",
    r"\b(?:not|isn'?t|wasn'?t) my fault\b|\bwho (?:even|the hell|on earth) \w+|\bthis (?:garbage|rubbish|crap|"
    r"nonsense)\b",
    r"\b(?:lazy|incompetent|useless|unprofessional)\b",
)


# --- unsolicited_advice -----------------------------------------------------------

# Advice ("you should", "have you tried"), and advice as an imperative at a clause's start.
UNSOLICITED_ADVICE = (
    r"\byou (?:really |just |definitely |probably |seriously |honestly |simply )?(?:should|shoud|ought to|need to|"
    r"have to|must(?!" + EPISTEMIC_MUST + r")|gotta|got to|had better)"
    r"(?!(?: have| of|'ve) (?:been|done|told|asked|said|known|checked|sent|"
    r"called|come|raised|flagged|read|listened|thought|seen|gone|made|let|given|finished|tested|informed|warned|"
    r"caught|noticed|planned|started|spoken)\b)(?! (?:be able|receive|get (?:a|an|the|it|this|that|my|"
    r"our) (?:email|invite|quote|report|update|reply|response|confirmation)|see (?:a|an|the|it)|hear back|expect|"
    r"understand|know|realise|realize|appreciate)\b)",
    r"\byou'd better\b|\bif i (?:were|was) you\b|\bmy advice (?:is|would be|'d be)\b|\b(?:i'?d|"
    r"i would) (?:recommend|suggest|advise) (?:that )?you\b|\bi (?:recommend|suggest|advise) (?:that )?you\b",
    r"\byou (?:might|may) want to\b|\byou could (?:just |always |simply )?(?:try|ask|talk|tell|say|push|block|"
    r"delegate|learn|set|speak|escalate|take|start|stop|ignore|book|look into|consider)\b",
    r"\bwhat you (?:need|should|ought|have) to do is\b|\bthe (?:trick|key|secret) is to\b|\bthe best (?:thing|"
    r"approach|move) (?:you can do |to do |for you )?is (?:to )?(?:just )?\w+",
    r"\b(?:it )?would be (?:better|best|smarter|wise|wiser) (?:if you|for you to)\b",
    r"\b(?:have|did) you (?:tried|try|thought about|considered|think about|consider)\b",
    r"\bwhy don'?t you\b|\bwhy not just\b|\b(?:couldn'?t|can'?t) you just\b|\bshouldn'?t you\b|"
    r"\bwouldn'?t it be (?:better|easier|smarter) (?:to|if you)\b|\bdon'?t you think you should\b",
)
ADVICE_IMPERATIVE = (
    r"(?:just )?(?:try (?:to |being |using |talking |asking |saying |blocking |setting |not |\w+ing\b)|learn to|"
    r"make sure (?:you|to)|don'?t let (?:him|her|them|people|it)"
    r"|go (?:and )?(?:talk|speak|ask|tell)|talk to (?:your|him|her|them|hr|the|someone)|speak to (?:your|him|her|"
    r"them|hr|the|someone)"
    r"|tell (?:him|her|them) (?:no|that you|you|how you)|push back (?:on|harder)|delegate|prioriti[sz]e|"
    r"block (?:out|off)"
    r"|set (?:some |clear |better |firmer )?boundaries|take (?:a|some) (?:break|time off|days? off)|say no|"
    r"be (?:more )?(?:assertive|direct|firm|confident)"
    r"|ignore (?:him|her|them|it)|put your foot down|stand up for yourself|document everything|reach out to|"
    r"get (?:some )?(?:therapy|coaching|a mentor))\b"
)
# In the persona's line: advice was asked for, so it is not unsolicited.
ADVICE_REQUEST = (
    r"\b(?:what (?:should|would|do|could|can) (?:i|you)|what would you (?:do|suggest|recommend)|"
    r"what do you (?:suggest|recommend|think i should)"
    r"|any (?:advice|tips|suggestions|ideas|pointers|thoughts on how)|(?:your|some) (?:advice|feedback|suggestions|"
    r"input|honest take|take on)"
    r"|how (?:should|do|can|would) i\b|tell me what to do|i need (?:advice|help|ideas|your help)|be honest|"
    r"give it to me straight"
    r"|where (?:do|should) i (?:start|begin)|(?:open to|looking for|want|would love) (?:advice|feedback|suggestions)"
    r"|help me (?:figure|work out|decide|think)|what do i need to|if you were me|what would it take)"
)


# --- limit ------------------------------------------------------------------------

# Stating what you will not do ("we can't take that on", "that's outside our contract").
LIMIT_VERB = (
    r"(?:do|commit|agree|promise|guarantee|offer|take on|take|approve|make|extend|give|sign off|sign|move|change"
    r"|add|support|waive|include|cover|provide|accept|authori[sz]e|deliver|drop|skip|cancel|pull|let (?!you down)|allow"
    r"|refund|discount|bend|fit|squeeze|absorb|come in|work|be on call|put|stretch|hand over|share|release|budge|"
    r"go beyond"
    r"|justify|pay|increase|raise|match|rush|ship|expand|keep doing|carry|help with|say yes|stay|promote|push|run|"
    r"build|handle|staff|pick up|refund|return|join|attend|make it|approve|lend|reassign|release|sign up)\b"
)
LIMIT = (
    r"\b(?:i|we|my team|our team|the team) (?:really |just |simply |still |honestly |definitely |also )?(?:can'?t|"
    r"cannot|can not|won'?t|will not|wont|cant)"
    rf" (?:be able to )?(?:\w+ )?{LIMIT_VERB}",
    r"\b(?:i'?m|i am|im|we'?re|we are) (?:really |just |simply |still )?(?:not able to|unable to|not going to|"
    r"not in a position to)"
    rf" (?:be able to )?(?:\w+ )?{LIMIT_VERB}",
    r"(?:\bisn'?t|\bis not|\baren'?t|\bare not|'s not|'re not|\bnot) (?:part of|in|within|included in|covered by|"
    r"covered under) (?:our|the|my|your|this|that) (?:\w+ )?(?:scope|contract|agreement|sow|statement of work|"
    r"remit|role|job description|sla|budget|retainer|package|plan|deal|brief|support hours)\b",
    r"\b(?:outside|out of|beyond) (?:of )?(?:our|the|my|this|your) (?:\w+ )?(?:scope|contract|agreement|remit|role|"
    r"sla|budget|policy|hours|brief)\b|\bout[-\s]of[-\s]scope\b|\bnot in scope\b",
    r"\bnot (?:something|a thing) (?:i|we)(?: can| will|'ll|'re able to| do| am able to)\b",
    r"\bnot something (?:i|we)(?:'m| am|'re| are) (?:willing|able|prepared|going) to\b",
    r"\b(?:i|we)(?: have to| need to|'ll have to| will have to| must|'m going to have to| am going to have to|"
    r"'re going to have to) (?:say no|decline|pass|push back|hold (?:the line|firm)|stick to|keep to|"
    r"draw the line)\b",
    r"\bi'?m (?:going to|gonna) (?:say no|decline|pass|hold (?:the line|firm)|stick to)\b",
    r"\b(?:the|my|our) answer(?: is| has to be|'s) (?:still )?(?:a )?no\b|\b(?:it'?s|that'?s) (?:still )?a no\b|"
    r"\bhard no\b|\bstill (?:a )?no\b",
    r"\b(?:i|we) don'?t (?:do|work|offer|provide|support|cover|include) (?:\w+ )?(?:weekends?|weekend work|"
    r"free work|unpaid|out of hours|after hours|overtime|custom reports?|that|those|discounts?|refunds?)\b",
    r"\b(?:i'?m|i am|we'?re|we are) not (?:comfortable|willing|prepared|available|agreeing|signing|changing|moving|"
    r"budging)\b",
    r"\b(?:that|this|it) (?:won'?t|doesn'?t|does not|will not) work for (?:me|us)\b",
    r"\b(?:there'?s|there is) no (?:guarantee|way (?:i|we) can)\b|\bno guarantees?\b|\bpolicy (?:doesn'?t|does not|"
    r"won'?t) (?:allow|permit|cover|let)\b",
    r"\b(?:that'?s|that is|it'?s|it is|thats|its) not (?:possible|an option|feasible|on the table|something (?:i|"
    r"we) (?:can|will|do))\b|\bnot (?:going to|gonna) happen\b",
    r"\b(?:can'?t|cannot|won'?t) be (?:done|delivered|included|added|guaranteed|promised|moved|extended|approved|"
    r"waived)\b",
    r"\bi'?d rather not (?:commit|agree|promise|take|do|make|give|sign|move|change)\b|\boutside (?:of )?what (?:i|"
    r"we) can\b",
    r"\bi'?m not the (?:right )?person to (?:approve|sign|decide|authori[sz]e|make)\b|\b(?:that'?s|"
    r"it'?s) not (?:my|our) (?:call|decision) to make\b",
    r"\b(?:i|we) (?:can|could) only (?:do|offer|support|cover|commit|deliver|include)\b",
    r"\b(?:i|we) don'?t have the (?:authority|budget|capacity|headcount|bandwidth)\b|\b(?:i'?m|i am|we'?re|we are|"
    r"the team is) (?:already )?at (?:full )?capacity\b",
    rf"\b(?:and|so|but) (?:really |just |still )?(?:can'?t|cannot|won'?t) (?:\w+ )?{LIMIT_VERB}",
)
# A bare "No." is a limit only as the answer to a request or a demand in the persona's line.
REFUSAL_START = r"(?:no|nope|nah|absolutely not|definitely not|certainly not|not a chance|no way|not this time)\b"
REFUSAL_WORDS = word_set(
    "no nope nah absolutely definitely certainly not a chance way this time sorry i'm afraid thanks thank you"
)
REQUEST = r"\b(?:can|could|will|would) you\b|\bi need you to\b|\bplease\b"
DEMAND = (
    r"\b(?:i need|i want|i expect|i demand|i insist|you need to|you have to|you must|you'?ve got to|you gotta|"
    r"i require|asap|immediately|right now"
    rf"|by {DAY}|by (?:tomorrow|tonight|end of (?:day|week))|this weekend|for free|no charge|at no (?:extra )?cost|"
    rf"free of charge"
    r"|just do it|make it happen|or else|or i'?ll|escalate|not paying|won'?t pay|waive|can you just|will you just|"
    r"throw it in|include it"
    r"|(?:can|could|will|would) you (?:\w+ ){0,3}?(?:weekend|tonight|free|for me)|i'?m asking you|i'?m telling you|"
    r"non-negotiable|give me|or i'?m|or we'?re|take my business)\b"
)


# --- alternative ------------------------------------------------------------------

# An in-scope offer instead ("what I can do is", "as a change request", "at the next review").
ALTERNATIVE = (
    r"(?<!see\s)\bwhat (?:i|we) (?:can|could) (?:do|offer)\b",
    r"\binstead of [^.!?]{0,60}?\b(?:i|we) (?:can|could)\b|\binstead,? (?:i|we) (?:can|could)\b|\b(?:i|we) (?:can|"
    r"could) [^.!?]{0,60}?\binstead\b|\balternatively\b",
    r"\b(?:one|another|an|the other|other) options? (?:is|would be|we have|i can|here|might be)\b",
    r"\b(?:raise|submit|log|open|put in|file|write up|draft|create|as|through|via|quote|price|handle (?:it|this|"
    r"that|them) as) (?:it |them |this |that )?(?:as )?(?:a |an )?(?:separate |formal )?change (?:request|order)\b",
    r"\b(?:get|send|give|put together|prepare|draft|provide) (?:you |them )?(?:a |an )?(?:quote|estimate|"
    r"costed proposal)\b",
    r"\b(?:paid|billable|chargeable|premium|priority|extended) (?:option|add-?on|extension|support|tier|service|"
    r"package|work|engagement|hours)\b",
    r"\bat (?:our|the) (?:standard|usual|normal|hourly|daily|day|agreed|contracted) rates?\b",
    r"\b(?:existing|standard|current|built-in|weekly|monthly|default) (?:report|dashboard|template|export|view)s?\b",
    r"\b(?:revisit|reconsider|re-?evaluate|come back to (?:it|this|that)|look at (?:it|this|that) again|"
    r"review (?:it|this|that|your case|the (?:\w+)) again)\b[^.!?]{0,40}?\b(?:in|at|after|next|once|during|when)\b",
    r"\b(?:at|in) the next (?:review|cycle|round|planning|quarter|release|sprint|promotion|budget)\b|\b(?:next|"
    r"following) (?:quarter|release|sprint|review cycle|budget cycle|promotion (?:round|cycle))\b",
    r"\b(?:on|to) the (?:backlog|roadmap)\b",
    r"\bas a separate (?:project|piece of work|statement of work|sow|engagement|request|ticket)\b",
    r"\bwould it help if (?:i|we)\b|\bwould you like (?:me|us) to\b|\bwould you be open to\b",
    r"\bif (?:it helps|that helps|you(?:'d| would) like|you want|useful),? (?:i|we) (?:can|could)\b",
    r"\b(?:i'?d|i would|i'?m|i am|we'?d|we would|we'?re|we are) (?:be )?(?:more than )?(?:happy|glad) to\b",
    r"\bin the meantime,? (?:i|we) (?:can|could)\b",
    r"\bbut (?:i|we) (?:can|could) (?!hear|see|understand|imagine|tell|talk|discuss|meet|try|only|just|not)\w+",
)


# --- acknowledge ------------------------------------------------------------------

# Acknowledging the other's view from your side ("I hear you", "that's a fair point").
ACKNOWLEDGE = (
    r"(?<!did\s)(?<!do\s)(?<!if\s)\bi (?:can |do |totally |really |completely |fully )?hear (?:you|u|that|how|what|"
    r"your|the)\b",
    r"(?<!did\s)(?<!do\s)(?<!if\s)\bi (?:do |totally |really |completely |fully |"
    r"absolutely )?understand\b(?! (?:the (?:process|code|spec|system|requirements|brief))\b)",
    r"(?<!did\s)(?<!do\s)\bi (?:totally |really |completely )?get (?:it|that|why|how|where|what you|"
    r"the (?:frustration|pressure|urgency|concern)|your (?:frustration|point|concern))\b(?! (?:done|to you|over|"
    r"sorted|fixed|back))",
    r"\bi (?:can |do )?see (?:that|how|why|where you|your (?:point|frustration|concern)|what you mean|this (?:is|"
    r"has)|it'?s|you(?:'re| are))\b",
    r"\bi know (?:that )?(?:this|it'?s|it is|it has|how|what a|you(?:'re| are| were|'ve| have| feel| want| need)|"
    r"(?:the|your|this) \w+ (?:is|are|was|has|matters|means))\b",
    r"\bi (?:really |do |totally )?appreciate (?:that (?:this|it|you(?:'re| are| feel| need| want))|"
    r"how (?:important|much|frustrating|stressful|hard|difficult|urgent)|this (?:is|matters|has)|the (?:pressure|"
    r"urgency|frustration|concern|position|bind|situation)|where you'?re coming from|your (?:frustration|concern|"
    r"position|situation|point))",
    r"\bi recogni[sz]e (?:that|how|this|the|you(?:'re| are))\b|\bi can (?:only )?imagine\b|\bi can'?t imagine how\b",
    r"\b(?:that'?s|that is|it'?s|it is) (?:a |an )?(?:fair|valid|reasonable|legitimate|real|understandable|"
    r"important) (?:point|concern|ask|question|request|frustration|worry|thing to want)\b",
    r"\b(?:your|the) (?:frustration|concern|worry) (?:is|makes) (?:completely |totally )?(?:understandable|valid|"
    r"fair|sense)\b|\bit makes sense (?:that )?you(?:'d|'re| would| are| feel)\b",
)


# --- next_step --------------------------------------------------------------------

# A follow-up with an owner or a date ("let's meet Thursday at ten", "I'll send it by Friday").
FOLLOW_UP = (
    r"(?:meet|catch up|sit down|check in|touch base|sync|regroup|reconvene|follow up|talk|speak|chat|review|"
    r"go over|go through"
    r"|walk through|book|schedule|set up|get together|pick (?:this|it|that) up|look at|call|hop on|get back to you|"
    r"get back)\b"
)
NEXT_STEP = (
    rf"\b(?:let'?s|lets|let us|shall we|can we|could we|should we|we should|why don'?t we|how about we|how about|"
    rf"maybe we (?:can|could)|i'?d like to|can i|could i|we can|"
    rf"we could) [^.!?,;]{{0,30}}?\b{FOLLOW_UP}[^.!?;]{{0,60}}?{DATE}",
    rf"{DATE}(?: or {DATE})? (?:works?|suits?) (?:better |best )?for (?:you|the \w+|a \w+|us)\b",
    r"\b(?:i'?ll|i will|i'?m going to|i am going to|we'll|we will|we'?re going to|let me) (?:also |then |quickly |"
    r"just |now )?(?:send|email|share|circulate|forward|book|schedule|set up|draft|write up|put together|loop in|"
    r"introduce you|hand (?:it |this |that )?(?:off|over)|add (?:it|this|you) to|create|open|file|log|update the|"
    r"put (?:time|a meeting|something|it) in)\b",
    rf"\b(?:i'?ll|i will|we will|we'll|let me|i can|i'?m going to|you'?ll|you can|he'?ll|she'?ll|they'?ll|"
    rf"\w+ will) [^.!?,;]{{0,40}}?\b(?:get back|follow up|check in|call|update|reply|respond|confirm|come back|"
    rf"meet|review|fix|correct|recirculate|circulate|resend|send|share|finish|deliver|have (?:it|that|this|the \w+|"
    rf"a \w+)|get (?:it|that|this|the \w+) (?:to you|over|done))\b[^.!?,;]{{0,60}}?{DATE}",
    r"\b(?:get|put|find|book|pencil) (?:a |some )?(?:date|time|slot) in (?:the |our |your )?(?:diary|calendar)\b",
    r"\b(?:agree|set|define|put|lock in|pick|fix|settle|with) (?:on )?(?:some |a few |clear |two |three |the |"
    r"weekly |\w+ )?(?:milestones|checkpoints|check-ins|a date|a deadline|a timeline|a time|dates)\b",
)


# --- capitulation -----------------------------------------------------------------

# Giving ground: a limit undone ("fine, just this once"), or the scope given away ("no charge").
CAPITULATION_UNDO = (
    r"\bjust this (?:once|one time)\b|\bthis one time\b",
    r"\bmake an exception\b",
    r"\bfine[,.!]* (?:i'?ll|we'll|we will|i will|you win|have it|do it|whatever|we can|i can|let'?s do it)\b",
    r"\b(?:ok(?:ay)?|alright|all right)[,.!]* fine\b",
    r"\byou win\b|\bwhatever you (?:want|need|say)\b|\bhave it your way\b",
    r"\b(?:i|we) (?:guess|suppose) (?:i|we) (?:can|could)\b",
    r"\b(?:i'?ll|we'll|we will|i will|let me) (?:try to |see if (?:i|we) can )?(?:squeeze|fit|sneak) (?:it|this|"
    r"that|them) in\b",
    r"\bbut (?:okay|ok|alright|fine)\b",
    r"\b(?:do|get|deliver) it anyway\b",
)
CAPITULATION_CONCESSION = (
    r"\b(?:at )?no (?:extra |additional )?(?:charge|cost)\b|\bfree of charge\b|\b(?:for|at) free\b|"
    r"\bwithout (?:charge|charging|billing)\b",
    r"\b(?:won'?t|will not|not going to) (?:charge|bill)\b|\bwaive (?:the|our|that|this|your|any) (?:\w+ )?(?:fee|"
    r"charge|cost|rate|invoice)s?\b|\bon the house\b",
    r"\b(?:as )?a (?:one-off|one off|goodwill gesture|gesture of goodwill|favou?r|courtesy|special case)\b|"
    r"\bgoodwill\b|\bthrow (?:it|that|this|them) in\b",
    r"\b(?:i'?ll|we'll|i will|we will|i can|we can) (?:\w+ )?(?:work|come in|do it|get it done|have it done|"
    r"have the team|get the team|cover it|be on call|stay late|work late|do the \w+)\b[^.!?]{0,30}?\b(?:this|the|"
    r"over the|on the) weekend\b",
    r"\b(?:i'?ll|we'll|i will|we will) (?:just )?(?:do|handle|fix|finish) it myself\b|\bnever mind,? (?:i'?ll|"
    r"we'll|forget it)\b",
    r"\b(?:i'?ll|we'll) (?:cancel|give up|skip|move) my (?:weekend|plans|leave|holiday|vacation|day off)\b",
    r"\btake (?:as long as|all the time) you need\b|\bforget (?:about )?the (?:deadline|date|contract|fee|charge|"
    r"invoice|milestone)\b",
    r"\b(?:don'?t|no need to) worry about the (?:deadline|date|fee|invoice|milestone)\b|\bthe deadline (?:doesn'?t|"
    r"does not) (?:really )?matter\b",
    r"\b(?:we can|i can|let'?s|we'll|i'll|we will|i will) (?:just )?(?:drop|skip|forget|scrap|bypass) (?:the|that|"
    r"my|our) (?:\w+ )?(?:deadline|date|requirement|milestone|review|fee|charge|testing|tests|qa)\b",
)
# A concession after a negation is a limit ("we can't do it for free").
NEGATION = r"\b(?:not|never|cannot|no longer)\b|n't\b"
# A bare yes ("fine, okay", "sure, we'll do it") right after the persona's demand.
ASSENT_WORDS = word_set(
    "yes yeah yep yup sure fine ok okay alright all right of course noproblem will do done deal absolutely"
    " definitely we'll i'll it then whatever you win i guess suppose so that's thats we can get on"
)
ASSENT_CORE = word_set("yes yeah yep yup sure fine ok okay alright noproblem absolutely definitely deal")
ASSENT_THEN_DO = (
    r"^\W*(?:yes|yeah|yep|sure|fine|ok|okay|alright|all right|of course|no problem)\b[,.!\s]*(?:i'?ll|we'll|"
    r"we will|i will|we can|i can) (?:\w+ )?(?:do|get|have|make|sort|take care of|handle|deliver|include|add|"
    r"cover|fix|give|waive|refund|extend|throw in|drop) (?:it|that|this|them|you)\b"
)


# --- over_apology -----------------------------------------------------------------

# Two apologies or more in a turn, or running yourself down ("it's all my fault").
APOLOGY = r"\b(?:sorry|sory|sorrry|soz|apologi[sz]e|appologi[sz]e|apologies|apology|forgive me|my bad|mea culpa)\b"
SELF_BLAME = (
    r"\b(?:all|entirely|completely|totally) (?:my|our) fault\b|\bi'?m (?:so |such )?(?:terrible|useless|the worst|"
    r"an idiot|hopeless|a failure)\b",
    r"\bwe'?re (?:so |just )?(?:terrible|useless|the worst|hopeless)\b|\bi feel (?:so |really )?(?:terrible|awful|"
    r"horrible|sick) about\b",
    r"\b(?:i|we)(?:'ve| have) (?:really )?let (?:you|everyone|the team) down\b|\bi can'?t believe i\b|"
    r"\bi should have known better\b",
    r"\bwe (?:completely|totally) (?:failed|dropped the ball|messed up)\b|\bi'?m (?:so |really )?ashamed\b|"
    r"\bi hate (?:myself|that i)\b",
)
