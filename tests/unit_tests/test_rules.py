"""The rule coder against a table of realistic coachee lines, labelled from docs/rubric.md.

The expected code sets follow the rubric's definitions and hard-case conventions, not
whatever the coder happens to output; a few genuinely hard lines are marked xfail.
"""

from __future__ import annotations

import time

import pytest

from evals.coding.coded_turn import CodedTurn, Coder
from evals.coding.rules import RuleCoder
from simulator.core.codes import CODES

OQ, CQ, REF, SUM, AFF = "open_question", "closed_question", "reflection", "summary", "affirmation"
DIS, BLA, ADV = "dismissal", "blame", "unsolicited_advice"
LIM, ALT, ACK, NXT, CAP, APO = "limit", "alternative", "acknowledge", "next_step", "capitulation", "over_apology"


def case(text: str, *codes: str, context: str | None = None, xfail: str | None = None, id: str | None = None):
    marks = [pytest.mark.xfail(strict=False, reason=xfail)] if xfail else []
    return pytest.param(text, context, frozenset(codes), marks=marks, id=id or text[:60])


# --- the rubric's own examples ---------------------------------------------------------
RUBRIC_EXAMPLES = [
    case("What part of the brief was hardest to pin down?", OQ),
    case("Did you see the client's email?", CQ),
    case("So the deadline moved twice and nobody told you.", REF),
    case("Let me check I have it: the scope grew, the budget didn't, and you're the one taking the heat.", SUM),
    case("You stayed late twice to get the preview out — I noticed.", AFF),
    case("Calm down, it's not a big deal.", DIS),
    case("This is a mess and it's on you.", BLA),
    case("You should just learn to say no to people.", ADV),
    case("Weekend support isn't part of our contract, so I can't commit the team to it.", LIM),
    case("What I can do is raise a change request and get you a quote by Thursday.", ALT),
    case("I can hear how much pressure this launch puts on you.", ACK),
    case("Let's meet Friday at ten and walk through the revised plan.", NXT),
    case("Fine, we'll do it this weekend at no charge.", CAP),
    case("I'm so sorry, I'm really sorry, I know we're terrible, it's all my fault…", APO),
    case(
        "I hear how stressful this is, and extra reports are outside our scope; I can quote them as a change request.",
        ACK,
        LIM,
        ALT,
    ),
    case("It sounds like the brief felt unclear. What part was hardest to pin down?", REF, OQ),
]

# --- IT colleague (coachee leads a developer, Stan) -----------------------------------------
IT_COLLEAGUE = [
    case("It sounds like the brief felt unclear.", REF),
    case("What have you even been doing all week?", BLA, id="accusatory question is blame"),
    case("Have you tried just breaking the ticket into smaller pieces?", ADV, id="advice question: have you tried"),
    case("Why don't you just ask Priya for help?", ADV, id="advice question: why don't you"),
    case("So you're stuck waiting on the API team, is that right?", REF, id="reflection + check is reflection only"),
    case("Is the staging server down again, or is it the build?", CQ, id="either/or is closed"),
    case("Is there anything blocking you right now?", CQ, id="is there anything is closed"),
    case("Tell me what a good week looks like for you.", OQ, id="indirect tell me is open"),
    case("Walk me through where the migration got stuck.", OQ),
    case("what happened with the release", OQ, id="no question mark, lowercase"),
    case("how did the demo go", OQ),
    case("could you tell me more about the outage", OQ),
    case("You never finish anything on time.", BLA),
    case("Everyone's busy, Stan. That's just how it is.", DIS),
    case(
        "Let's agree a definition of done: I'll write up the checklist and send it to you by Wednesday.",
        NXT,
    ),
    case("Can we meet Monday?", CQ, NXT, id="proposal in yes/no form: closed + next_step"),
    case("How about we pair on it tomorrow morning?", NXT, id="how about we is not a question"),
    case("Honestly, great work on the caching fix — it cut our load times in half.", AFF),
    case("Great idea.", id="generic praise gets nothing"),
    case("Wow, great, another missed deadline.", BLA, id="sarcastic praise is blame"),
    case("Thanks.", id="thanks alone"),
    case("I've been in a similar spot myself, on my first team.", id="self-disclosure"),
    case("Okay, let's move to the next item on the agenda.", id="structuring remark"),
    case("You're right, I missed that email. I'll reply to the client today.", NXT, id="ownership + next step"),
    case(
        "So you feel like the team keeps changing priorities on you and you never get time to finish anything.",
        REF,
    ),
    case("Are you feeling overwhelmed with the on-call rota?", CQ),
    case("Why do you think the handover slipped?", OQ),
    case("Why didn't you tell me the tests were failing?", BLA),
    case("If I were you, I'd just push back on the product team.", ADV),
    case(
        "You should push back on the product team and ask for a clear priority list.",
        context="What would you do in my position? I'd really like your advice.",
        id="advice that was asked for",
    ),
    case("stan i get that the spec was vague but you should of flagged it sooner", ACK, BLA, id="typo: should of"),
    case("I get that you're tired of the changes.", ACK, id="acknowledge by form"),
    case("You're tired of the changes.", REF, id="reflection by form"),
    case("I hear you're tired of the changes. So you want the scope frozen until launch.", ACK, REF),
    case("I'll get back to you.", id="vague follow-up is not a next step"),
    case("Let's talk soon.", id="vague talk soon"),
    case("Can I make a suggestion?", CQ, id="permission request"),
    case("Sounds like you're exhausted — does that fit?", REF, id="reflection with does that fit"),
    case("Send me the logs, okay?", id="tag question okay"),
    case("Deal?", id="tag deal"),
    case("whats blocking the deploy", OQ, id="typo whats without question mark"),
    case("can u walk me through the rollback plan", OQ, id="u for you, indirect"),
]

# --- demanding client (coachee is the account manager) --------------------------------------
DEMANDING_CLIENT = [
    case("I'm sorry, but custom reports aren't included in your plan.", LIM, id="limit with one apology"),
    case("Sorry, sorry — I know, I'm so sorry, we should have caught it.", APO),
    case("We can't do it for free, but I can put together a quote for the extra dashboards.", LIM, ALT),
    case(
        "Okay, just this once, as a goodwill gesture, we'll add the reports at no charge.",
        CAP,
        id="goodwill gesture is capitulation",
    ),
    case("Let's split the difference: no charge for the next two months.", CAP, id="split it: no charge"),
    case(
        "We can't extend the support hours, but I'll waive the late fee on last month's invoice.",
        LIM,
        CAP,
        id="hold one limit, concede another item",
    ),
    case("I can't promise it'll be live by Monday.", LIM, id="refusing to guarantee"),
    case("There's no way I can guarantee zero downtime during the migration.", LIM),
    case("Maybe, let me think about it.", id="hedged non-answer"),
    case("I'll see what I can do.", id="hedge: see what I can do"),
    case(
        "Yes.",
        CAP,
        context="I need the extra reports by Monday, at no cost. Can you do that or not?",
        id="bare yes after a demand",
    ),
    case("Fine, okay.", CAP, context="I want the weekend cover included, full stop.", id="fine okay after demand"),
    case("Yes, I did.", context="Did you get my email about the invoice?", id="yes to a plain question"),
    case("Would you be open to a paid support extension for the launch weekend?", CQ, ALT),
    case("Would it help if I sent you the existing usage report instead?", CQ, ALT, id="would it help if I"),
    case("I understand this launch matters enormously, and the answer is still no on weekend cover.", ACK, LIM),
    case("Again, weekend work is outside our agreement.", LIM, id="limit restated"),
    case(
        "Those dashboards are out of scope. We can add them to the roadmap for next quarter, "
        "and I'll send you a timeline by Friday.",
        LIM,
        ALT,
        NXT,
    ),
    case("I can't do weekends, but okay, just this once.", CAP, id="limit undone in the same breath"),
    case("No. That's not something we can do.", LIM),
    case("You're being completely unreasonable.", BLA),
    case("That's ridiculous, nobody agreed to that.", BLA),
    case("Look, I get that you're frustrated, but weekend cover isn't in the contract.", ACK, LIM),
    case("What's driving the Monday date for you?", OQ),
    case("When is the board meeting?", CQ),
    case("I appreciate you flagging this early.", AFF),
    case("We'll have the fix deployed by 5pm today, and I'll email you once it's live.", NXT),
    case(
        "I'm sorry about the outage yesterday; that was our mistake and we've already patched it.",
        id="proportionate ownership",
    ),
    case("Oh for goodness' sake, fine, whatever you want.", CAP),
    case("ok fine we'll do it", CAP, id="lowercase capitulation"),
    case("sory, we cant add that to the sprint", LIM, id="typos: sory, cant"),
    case("I know you're under pressure from your board, and I still can't move the go-live date.", ACK, LIM),
    case("We could revisit the pricing at the next quarterly review.", ALT, id="later review is alternative"),
    case("No.", LIM, context="Can you run the migration this weekend, for free?", id="bare no to a demand"),
    case(
        "I can get you a quote by Wednesday, and let's review it together on Thursday at 2.",
        ALT,
        NXT,
        id="substitute offer plus a meeting",
    ),
    case(
        "I know the launch is huge for you. We can't staff the weekend, but I can have two engineers on call "
        "Monday from 6am. Let's check in Friday at 4 to confirm the plan.",
        ACK,
        LIM,
        ALT,
        NXT,
    ),
    case("We don't do weekend deployments, but for you we'll make an exception.", CAP, id="exception undoes limit"),
    case("Let's meet halfway — I'll do the extra reports for free this month.", CAP),
    case("Calm down — this is your mess, not mine.", DIS, BLA, id="dismissal and blame"),
    case("Oh brilliant, thanks for finally showing up.", BLA, id="sarcastic thanks"),
    case("Thanks for your patience.", id="pro forma thanks"),
]

# --- skip-level VP ----------------------------------------------------------------------------
SKIP_LEVEL_VP = [
    case("Could you help me understand what success looks like for you this quarter?", OQ),
    case("What would make this a win for your team?", OQ),
    case("So the board wants faster delivery, fewer incidents, and a smaller budget all at once.", SUM),
    case("I understand you want the roadmap by Friday; I can't commit to that until the estimates are in.", ACK, LIM),
    case(
        "With respect, I'm not able to take on the data platform as well without dropping the mobile launch.",
        LIM,
    ),
    case(
        "What I can offer is a one-page risk summary by Thursday and a full plan at the next planning cycle.",
        ALT,
        id="substitute offer with its own date is alternative only",
    ),
    case("You're clearly frustrated with how long this has taken.", REF),
    case("It sounds like you're worried the team is losing momentum.", REF),
    case(
        "Sure, we'll drop the security review to hit the date.",
        CAP,
        context="I want this shipped next week, whatever it takes.",
        id="dropping a commitment",
    ),
    case("Let's set milestones for each phase and check in every second Monday.", NXT),
    case("Shall we book thirty minutes next week to go through the numbers?", CQ, NXT),
    case("I'll send you the draft plan by end of day.", NXT),
    case("Thanks for taking the time to walk me through the board's concerns.", AFF),
    case("I hear you, and I'm not going to commit my team to a date we can't hit.", ACK, LIM),
    case("Why would you even send that to the whole company?", BLA),
    case("That's not a big deal, everyone misses a deadline now and then.", DIS),
    case("I realise I got the numbers wrong in the deck; I'll correct them and recirculate by noon.", NXT),
]

# --- promotion conversation ---------------------------------------------------------------------
PROMOTION = [
    case("I can't promise you the promotion this cycle.", LIM),
    case(
        "You led the billing migration end to end and mentored two new hires — that's exactly the kind "
        "of impact the panel looks for.",
        AFF,
    ),
    case("What do you see as the gap between your current level and the next one?", OQ),
    case("So you feel you've been doing senior-level work for a year without the title.", REF),
    case(
        "The decision isn't final, and it's not something I can change today. We'll review it again in the "
        "March cycle.",
        LIM,
        ALT,
    ),
    case("You should have spoken up about this earlier.", BLA, id="should have is blame, not advice"),
    case("Honestly, you're overreacting. It's just a title.", DIS),
    case("I'm not comfortable promising a raise before the budget is approved.", LIM),
    case("Let's put together a development plan with three milestones and review it on the 15th.", NXT),
    case("Is it the title or the pay that matters more to you?", CQ, id="either/or about values"),
    case("Which of those projects are you proudest of?", CQ),
    case("What would being promoted change for you day to day?", OQ),
    case("I'm sorry, I know this isn't the answer you wanted.", ACK, id="one apology + acknowledge"),
]

# --- career chat ----------------------------------------------------------------------------------
CAREER_CHAT = [
    case("Tell me about a project that really energised you this year.", OQ),
    case("Where do you see yourself in two years?", OQ),
    case("So you'd like more ownership and less firefighting.", REF),
    case("You should definitely do an MBA.", ADV),
    case(
        "If I were you, I'd take it — you're great with people.",
        AFF,
        context="What would you do if you were me? Should I take the team lead role?",
        id="solicited advice plus affirmation",
    ),
    case(
        "Let me recap: you want to stay technical, you'd like to lead the platform work, and you're worried "
        "about losing time for deep work. Did I get that right?",
        SUM,
        id="summary + check is summary only",
    ),
    case("I'm curious what drew you to product management.", OQ),
    case(
        "Anyway, let's talk about your Q3 goals.",
        DIS,
        context="I just feel like nobody sees what I do.",
        id="changing the subject is dismissal",
    ),
    case("Have you thought about asking for a mentor outside the team?", ADV),
    case(
        "Have you thought about preparing two concrete stories about conflict?",
        context="Any tips for the interview panel?",
        id="advice question that was asked for",
    ),
    case("That must have been really demoralising.", REF),
    case("You must be exhausted after a week of nights.", REF, id="epistemic must names a feeling"),
    case("You must have spent hours on those rotas.", id="epistemic must is not advice"),
    case("You must send the form before Friday.", ADV, id="deontic must is advice"),
    case("You must be on time from now on.", ADV, id="must be on time is advice"),
    case("You must have the report to me by Friday.", ADV, id="must have the report is advice"),
    case("You must be more careful with the client.", ADV, id="must be careful is advice"),
    case("How are you feeling about the reorg?", OQ),
    case("Do you want to talk about the reorg or about your goals first?", CQ),
    case("You're good at explaining complex systems to non-engineers.", AFF),
    case("you seem kind of down lately", REF),
    case("Any questions?", CQ),
    case("You okay?", CQ),
    case("Okay.", id="filler"),
    case("Understood.", id="filler understood"),
    case(
        "You should rotate weekly and publish the rota a month ahead.",
        context="What should I do about the on-call rota? Be honest.",
        id="requested feedback",
    ),
    case("Great job today.", id="generic praise today"),
    case("Where do you want to be in five years, and what's stopping you?", OQ),
]

# --- nursing ------------------------------------------------------------------------------------------
NURSING = [
    case("I can't take on a fifth patient tonight; it isn't safe.", LIM),
    case("I hear that the ward is short, and I still can't take a fifth patient.", ACK, LIM),
    case("What I can do is help with the admission paperwork for the first hour.", ALT),
    case(
        "It sounds like the night was chaotic and you were left on your own with two deteriorating patients.",
        REF,
    ),
    case("You handled the family's questions really calmly yesterday.", AFF),
    case("Why didn't you escalate the obs earlier?", BLA),
    case("Can you tell me what happened before the fall?", OQ, id="can you tell me what is open"),
    case("Did the patient have their 2pm meds?", CQ),
    case("Relax, it happens to everyone on nights.", DIS),
    case("I'll hand over to the day team at 7:30 and flag bed 4 with the consultant.", NXT),
    case(
        "Okay... I guess I can stay.",
        CAP,
        context="You have to cover the extra shift, there's no one else.",
        id="giving in to a demand",
    ),
    case("Sorry, I can't cover the extra shift this week.", LIM, id="one apology limit"),
    case(
        "I'd love to help, but I'm at capacity this shift and can't pick up another admission.",
        LIM,
        id="polite refusal",
    ),
]

# --- retail ---------------------------------------------------------------------------------------------
RETAIL = [
    case("I'm sorry, but I can't refund it without a receipt.", LIM),
    case("I can offer you store credit or an exchange instead.", ALT),
    case("I understand how frustrating that is.", ACK),
    case("Okay, I'll refund it anyway, just this once.", CAP),
    case("Would you like me to check if another store has it in stock?", CQ, ALT),
    case("You're clearly upset that the item arrived damaged.", REF),
    case("Sorry, sorry, I'm so sorry, this is completely my fault, I feel awful.", APO),
    case("Let me check with my manager and call you back by 4pm.", NXT),
    case("Store policy doesn't allow returns after 30 days.", LIM),
    case("i hear u, but we cant do refunds on sale items", ACK, LIM, id="typos: u, cant"),
    case("your frustated, i get it", REF, ACK, id="typos: your frustated"),
]

# --- engineering ---------------------------------------------------------------------------------------
ENGINEERING = [
    case("We can't ship on Friday without skipping the security review, and I won't do that.", LIM),
    case("We could ship the read-only version Friday and the editing features the following sprint.", ALT),
    case("So you're saying sales already promised the client a Friday date?", REF, CQ, id="declarative ? reflection"),
    case("Are the acceptance criteria written down anywhere?", CQ),
    case("What's the deadline?", CQ, id="single fact what"),
    case("How many tickets are still open?", CQ),
    case("How does the current deploy process work for your team?", OQ),
    case("Who signed off on this?", CQ),
    case("Who even approved this garbage?", BLA),
    case("You need to write tests before you open a PR, full stop.", ADV),
    case("We'll fix the flaky test ourselves as a favour, no need to log it.", CAP),
    case("Nice catch on the race condition in the payment service.", AFF),
    case("So the build broke, you lost half a day, and then QA blamed you for the delay.", SUM, id="three points"),
    case(
        "Let me sum up what I've heard today: the on-call load is uneven, the runbooks are out of date, "
        "and you want a say in the rota. Is that fair?",
        SUM,
    ),
    case("We'll push the release to Thursday and I'll update the status page by noon, deal?", NXT, id="deal tag"),
    case("Who knew a comma could take down prod, right?", id="joking question"),
    case(
        "I'm not going to guarantee zero bugs, but I can promise we'll run the full regression suite.",
        LIM,
        ALT,
    ),
    case("why dont you just rewrite it in rust lol", ADV, id="lowercase advice question"),
    case("Why don't we grab a coffee on Tuesday and talk it through?", NXT, id="why don't we suggestion"),
    case("How about Thursday at 10?", NXT, context="When works for you to go through the design?"),
    case(
        "When can I have it ready? Realistically, Thursday.",
        context="When can you have the report ready?",
        id="echoed question is not a question",
    ),
    case("Would it be okay if I shared what worked on my last team?", CQ, id="permission request 2"),
    case("Is that right?", CQ, id="bare check question"),
    case("Stop making excuses and get it done.", BLA),
    case("Tell me more.", OQ),
]

# --- mixed workplaces (written after the first round, as a check on overfitting) -------------------
MIXED = [
    case("I'm wondering how the new rota is landing with the team.", OQ),
    case("What's been the hardest part of coming back from leave?", OQ),
    case("It seems like the handover notes weren't much help.", REF),
    case("You've been carrying the whole release on your own.", REF),
    case(
        "So, to sum up: the client changed the spec, QA found twelve bugs, and marketing moved the launch.",
        SUM,
    ),
    case("I really appreciate how you kept the client calm during the outage.", AFF),
    case("You're overthinking this, it's just one email.", DIS),
    case("Honestly, if you'd read the spec we wouldn't be here.", BLA),
    case("You need to stop taking on everyone else's work.", ADV),
    case("Extra training days aren't covered by the budget this year.", LIM),
    case("I won't be able to join the weekend call.", LIM),
    case("Instead of the full audit, we could run a targeted review of the three riskiest services.", ALT),
    case("I get why you'd want it sooner.", ACK),
    case("I'll book a room for Tuesday at 3 and send the agenda tonight.", NXT),
    case("Oh, fine, I'll take the on-call shift again.", CAP),
    case(
        "I'm really, really sorry — I've let you down and I feel terrible about it.", APO, id="one sorry + self-blame"
    ),
    case("Would Thursday or Friday work better for the review?", CQ, NXT, id="either/or meeting proposal"),
    case("What would you need from me to make Friday realistic?", OQ),
    case("Are you okay with me sharing the numbers with the VP?", CQ),
    case(
        "So the client keeps moving the goalposts.",
        REF,
        xfail="a third-person 'So ...' restatement without 'you' reads like news; left out by design",
    ),
    case("Nice work.", id="generic nice work"),
    case("Thanks for staying late on Tuesday to fix the payment bug.", AFF),
    case("Whatever, just get it done.", DIS),
    case("That's on me — I misread the ticket. I'll fix it by tomorrow.", NXT, id="proportionate ownership + fix"),
    case("We can't move the launch, but we can cut scope on the reporting module.", LIM, ALT),
    case("The existing export already covers most of that; I can show you how to use it.", ALT),
    case("Can you say more about what 'support' would look like?", OQ),
    case("Did the client actually sign the change request?", CQ, id="change request as a fact, not an offer"),
    case("How did you manage to break prod twice in one day?", BLA),
    case(
        "I'm not the right person to approve that, but I can take it to the budget committee on the 12th.",
        LIM,
        ALT,
    ),
    case("You seem really frustrated with how the audit went.", REF),
    case("Let's pick this up again on Monday once you've had a rest.", NXT),
    case("Everyone gets nervous before a promotion panel, it's nothing.", DIS),
    case("Why is it always our team that gets the late requests?", BLA),
    case("I'm sorry, I can't share other people's salaries.", LIM),
    case(
        "Sure, I'll give you the discount, no problem.",
        CAP,
        context="Give me 20% off or I'm taking my business elsewhere.",
    ),
    case("Let me play that back: you want more visibility, fewer meetings, and a clearer path to senior.", SUM),
    case("Could we set up a fortnightly one-to-one, starting next Wednesday?", CQ, NXT),
    case("I'm so sorry for the confusion. Let me fix the invoice today.", NXT, id="one apology + next step"),
    case("ur right, i shouldve checked the logs first", id="lowercase self-ownership"),
    case("i cant promise anything rn", LIM),
    case("tell me whats going on with the vendor", OQ),
    case("That sounds exhausting.", REF),
    case("I understand. The answer is no.", ACK, LIM),
    case("What do you make of the new org chart?", OQ),
    case("Did you want me to cc your manager?", CQ),
    case("You always go the extra mile for new starters, and it shows.", AFF),
    case("We're not able to offer refunds on digital downloads, I'm afraid.", LIM),
    case("Absolutely not.", LIM, context="Can you just skip the code review this time?"),
    case("I'd rather not commit to a date until I've seen the estimates.", LIM),
    case("You did a brilliant job on the board deck.", AFF),
    case("You're asking for a lot here, and I can't do all of it.", REF, LIM),
    case("I hear you. Let me see what's possible and come back to you tomorrow.", ACK, NXT),
    case("Just this once won't hurt, I suppose.", CAP),
    case("You'll need to raise a change request for that.", ALT, id="path via change request"),
    case("That's outside what I can approve on my own.", LIM),
    case("Let's not go there right now.", DIS),
]

# --- neutral lines: information, structuring, fillers, proportionate ownership get no code ----------
NEUTRAL = [
    case("The release went out at nine this morning."),
    case("I joined the company about three years ago, mostly on the payments side."),
    case("Let's start with the agenda."),
    case("Our contract covers weekday support from nine to five."),
    case("Right, okay."),
    case("The quote you got last month was for the original scope."),
    case("Hmm, let me think about that."),
    case("I'm not sure yet."),
    case("That's a good question."),
    case("I know the numbers look bad."),
    case("Thanks for coming in today."),
    case("I see."),
    case("The team worked all weekend on it."),
    case("I'll be honest with you."),
    case("It's been a long week for everyone."),
    case("Sorry, I didn't catch that."),
    case("Sorry for the delay in getting back to you."),
    case("I can't hear you very well, the line is bad."),
    case("No worries."),
    case("What I heard from the client was different."),
    case("So I spoke to finance this morning."),
    case("You mentioned the budget earlier."),
    case("You're not wrong."),
    case("I'm sorry you had to chase us; that shouldn't have happened."),
    case("We messed up the rollout, and I'm sorry."),
    case("You're doing great.", id="generic encouragement"),
    case("You should receive the invoice by Friday.", id="you should receive is information"),
    case("Whatever you decide is fine with me."),
    case("How are you?", OQ),
    case("Where are we with the migration?", CQ),
    case("Why?", OQ),
    case("What do you mean by that?", OQ),
    case("Is now still a good time?", CQ),
    case("Can you send me the logs?", CQ),
    case("So what would a good outcome look like for you?", OQ),
]

# --- a third batch, also written before running the coder ---------------------------------------------
MORE = [
    case("What's getting in the way of finishing the test plan?", OQ),
    case("How do you want to handle the client call tomorrow?", OQ),
    case("Was it the tooling or the timeline that caused the slip?", CQ),
    case("Did anyone from product sign off on the new scope?", CQ),
    case("You sound worn out after this sprint.", REF),
    case("So you're the only one who knows the billing code, and that's making it hard to take leave.", REF),
    case("Sounds like you want more say in which projects you take on, is that fair?", REF),
    case(
        "I noticed you rewrote the onboarding guide on your own time — it's already helping the new hires.",
        AFF,
    ),
    case("Thanks for jumping in on the incident last night.", AFF),
    case("Don't worry about it, everybody forgets a standup now and then.", DIS),
    case("Honestly, this report is sloppy and you know it.", BLA),
    case("Why can't you just follow the process like everyone else?", BLA, id="accusation, not advice"),
    case("You should really try time-blocking your mornings.", ADV),
    case("Just tell him no next time.", ADV),
    case("We're not able to add more seats on the current licence.", LIM),
    case("I can't sign off on overtime for the whole team.", LIM),
    case("That's not something I'm willing to do.", LIM),
    case("I know how much this deal matters to you.", ACK),
    case("I understand why you're disappointed.", ACK),
    case("One option is to phase the rollout over two sprints.", ALT),
    case("We could do a paid extension of the support contract.", ALT),
    case("I'll set up a call with legal for Thursday morning.", NXT),
    case("Let's regroup next Tuesday at 2 and look at the numbers again.", NXT),
    case("Okay, we'll throw in the extra training for free.", CAP),
    case("Alright, you win, we'll push the other work back.", CAP),
    case("I'm so sorry. So sorry. I really messed this up.", APO),
    case("I hear you, and we still can't do next-day delivery on custom orders.", ACK, LIM),
    case(
        "I get that this is urgent. What I can do is prioritise the login bug and have a fix by Friday.",
        ACK,
        ALT,
    ),
    case("Could you walk me through what the auditors flagged?", OQ),
    case("Shall we get a date in the diary for your mid-year review?", CQ, NXT),
]

ALL_CASES = (
    RUBRIC_EXAMPLES
    + IT_COLLEAGUE
    + DEMANDING_CLIENT
    + SKIP_LEVEL_VP
    + PROMOTION
    + CAREER_CHAT
    + NURSING
    + RETAIL
    + ENGINEERING
    + MIXED
    + NEUTRAL
    + MORE
)


@pytest.fixture(scope="module")
def coder() -> RuleCoder:
    return RuleCoder()


def test_table_is_large_and_valid() -> None:
    assert len(ALL_CASES) >= 120
    for param in ALL_CASES:
        assert param.values[2] <= set(CODES)


@pytest.mark.parametrize(("text", "context", "expected"), ALL_CASES)
def test_table(coder: RuleCoder, text: str, context: str | None, expected: frozenset[str]) -> None:
    coded = coder.code(text, context)
    assert coded.codes == expected, f"cues: {coded.cues}"


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_has_no_codes(coder: RuleCoder, text: str) -> None:
    assert coder.code(text) == CodedTurn(frozenset(), {}, source="rules")


def test_long_text_is_fast(coder: RuleCoder) -> None:
    chunk = (
        "I hear you, and I can't commit the team to weekends. So you feel stuck; what would help? "
        "Sorry, sorry. Let's meet Friday at ten. whats going on and why dont you just "
    )
    text = (chunk * (20_000 // len(chunk) + 1))[:20_000]
    unpunctuated = ("so you feel like the team " * 1000)[:20_000]
    for sample in (text, unpunctuated, "a" * 20_000, "? " * 10_000):
        start = time.perf_counter()
        coder.code(sample, context=sample[:2000])
        assert time.perf_counter() - start < 1.0


def test_cues_are_spans_of_the_text(coder: RuleCoder) -> None:
    texts = [param.values[0] for param in ALL_CASES]
    for text in texts:
        coded = coder.code(text)
        assert set(coded.cues) == set(coded.codes)
        for code, cue in coded.cues.items():
            assert cue and cue in text, (code, cue, text)


def test_cues_keep_original_apostrophes(coder: RuleCoder) -> None:
    text = "I can\u2019t commit the team to weekends."
    coded = coder.code(text)
    assert coded.codes == {LIM}
    assert coded.cues[LIM] in text and "\u2019" in coded.cues[LIM]


def test_codes_are_known_and_deterministic(coder: RuleCoder) -> None:
    text = "I hear you. We can't do weekends, but I can quote a change request. Let's meet Monday at 9."
    first = coder.code(text)
    assert first == coder.code(text)
    assert first.codes <= set(CODES)


def test_context_none_and_empty_are_the_same(coder: RuleCoder) -> None:
    text = "Fine, okay."
    assert coder.code(text, None) == coder.code(text, "")


def test_rule_coder_is_a_coder(coder: RuleCoder) -> None:
    assert isinstance(coder, Coder)
    coded = coder.code("Can we meet Monday?")
    assert isinstance(coded, CodedTurn)
    assert coded.source == "rules"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Just the banner?", {CQ}),
        ("And that's been mainly the reporting?", {CQ}),
        ("You had a chance to read it?", {CQ}),
        ("So you're not sure you want the role?", {REF, CQ}),
        ("Really?", set()),
        ("So you feel nobody asked you, is that right?", {REF}),
    ],
)
def test_declarative_and_clipped_questions_are_closed(coder: RuleCoder, text: str, expected: set[str]) -> None:
    """docs/rubric.md: declarative and clipped questions are closed; a restatement voiced as a
    yes/no question is reflection plus closed_question; a reflection with a check is a reflection."""
    assert coder.code(text).codes == expected
