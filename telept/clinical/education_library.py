"""The built-in patient education library every practice shares (data, plus the loader).

Written for TelePT by its contributors in plain language (no published handout copied). It
is general education, not a prescription: each article sends the reader back to their
therapist for anything specific, and names the warning signs that need a doctor.

`articles_sync` loads or refreshes the library by slug (migration 0006, and again after this
file changes via a new data migration). It never deletes an article: patients may have it
assigned.
"""

from __future__ import annotations

from typing import Any

REGIONS = {"general": "Whole body", "neck": "Neck", "back": "Back", "shoulder": "Shoulder",
           "hand": "Wrist and hand", "hip": "Hip", "knee": "Knee", "ankle": "Ankle and foot"}
TOPICS = {"pain": "Managing pain", "posture": "Posture and ergonomics",
          "prevention": "Preventing injury", "activity": "Staying active",
          "recovery": "Recovery after injury or surgery"}

SEE_A_DOCTOR = ("Call your doctor or urgent care if you have new numbness or weakness, loss "
                "of bladder or bowel control, fever with your pain, or pain after a fall or "
                "accident.")

BUILTIN_ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "pain-is-not-damage", "region": "general", "topic": "pain",
        "title": "Why hurting does not always mean harm",
        "summary": "Pain is your body's alarm system, and alarms can be too sensitive.",
        "body": [
            "Pain is real, but it is not a direct measure of damage. Your nervous system "
            "decides how much to warn you, and it weighs many things: your sleep, your "
            "stress, what you expect, and how long the problem has been there.",
            "When pain lasts for weeks, the alarm often becomes more sensitive than it needs "
            "to be. Movements that are safe can still hurt. That is why your therapist may "
            "ask you to keep moving even when it is a little uncomfortable.",
            "A useful guide: mild discomfort during exercise that settles within an hour or "
            "two is usually fine. Pain that is sharply worse the next day means the dose was "
            "too much, not that you are broken. Tell your therapist and adjust together.",
            SEE_A_DOCTOR,
        ],
    },
    {
        "slug": "handling-a-flare-up", "region": "general", "topic": "pain",
        "title": "Handling a flare-up",
        "summary": "A plan for the bad days, so they do not undo the good ones.",
        "body": [
            "Most recoveries have ups and downs. A flare-up is a few days when pain is "
            "clearly worse than usual. It is common and usually passes.",
            "Ease off, but do not stop. Cut your exercises to about half of the usual "
            "amount, keep them slow and comfortable, and keep walking a little each day. "
            "Complete rest tends to make stiffness and pain last longer.",
            "Use what calms your pain: gentle heat, a short walk, relaxed breathing, a change "
            "of position every half hour. Return to your normal program over a few days as "
            "things settle.",
            "Write down what you were doing before the flare-up and bring it to your next "
            "visit; it helps your therapist fine-tune your plan. " + SEE_A_DOCTOR,
        ],
    },
    {
        "slug": "pacing", "region": "general", "topic": "activity",
        "title": "Pacing: enough, but not too much",
        "summary": "Spread activity across the day instead of overdoing it on good days.",
        "body": [
            "On a good day it is tempting to do everything at once, then pay for it for "
            "days. Pacing breaks that boom-and-bust cycle.",
            "Find your starting point: how long can you do an activity (walking, gardening, "
            "standing at the sink) before pain builds? Start a little below that, take a "
            "break, then carry on.",
            "Build up slowly, by about ten percent a week. If walking 10 minutes is fine, "
            "try 11 next week. Small, steady steps get you further than big jumps.",
            "Plan your day with a mix of harder and easier tasks, and keep some breaks in "
            "reserve. Pacing is a skill; it gets easier with practice.",
        ],
    },
    {
        "slug": "sleep-and-recovery", "region": "general", "topic": "pain",
        "title": "Sleep and recovery",
        "summary": "Better sleep lowers pain sensitivity and helps tissues heal.",
        "body": [
            "Poor sleep makes pain feel worse, and pain makes sleep harder. Breaking that "
            "loop is part of treatment.",
            "Keep regular times for going to bed and getting up, even at weekends. Keep the "
            "bedroom dark, quiet and cool, and leave screens outside it for the last hour.",
            "Find a comfortable position with pillows: between the knees when lying on your "
            "side for back or hip pain, under the knees when lying on your back, under the "
            "arm for a sore shoulder.",
            "Avoid caffeine after midday and heavy meals late in the evening. If you lie "
            "awake for a long time, get up and do something calm until you feel sleepy.",
        ],
    },
    {
        "slug": "desk-setup", "region": "back", "topic": "posture",
        "title": "Setting up your desk",
        "summary": "A few adjustments that make long computer days easier on the body.",
        "body": [
            "There is no single perfect posture; the best posture is the next one. Still, a "
            "good setup makes it easier to sit comfortably and change position often.",
            "Sit with your feet flat on the floor or a footrest and your hips a little "
            "higher than your knees. Use the backrest: a small cushion or rolled towel at "
            "your lower back can help.",
            "Put the top of the screen at about eye level and an arm's length away. Keep "
            "the keyboard and mouse close so your elbows rest near your sides.",
            "Using a laptop? Raise it on books or a stand and use a separate keyboard and "
            "mouse. Stand up, stretch or walk for a minute or two every half hour.",
        ],
    },
    {
        "slug": "screens-and-your-neck", "region": "neck", "topic": "posture",
        "title": "Screens and your neck",
        "summary": "Bring the phone up to your eyes rather than your head down to the phone.",
        "body": [
            "Looking down at a phone or tablet for long stretches loads the neck and upper "
            "back. It is not dangerous, but it can add to stiffness and headaches.",
            "Hold your phone higher, closer to eye level, and rest your elbows on a table "
            "or your body. Prop tablets on a stand or a cushion when reading.",
            "Take movement breaks: gently tuck your chin, turn your head side to side, and "
            "roll your shoulders back a few times every half hour.",
            "If neck pain comes with arm numbness, weakness, dizziness or a severe new "
            "headache, contact your doctor promptly.",
        ],
    },
    {
        "slug": "low-back-pain-keep-moving", "region": "back", "topic": "pain",
        "title": "Low back pain: keep moving",
        "summary": "Most back pain improves faster with gentle activity than with rest.",
        "body": [
            "Back pain is very common and most episodes get much better within a few weeks. "
            "Scans often show changes that are normal for our age and do not explain pain.",
            "Staying active is one of the best things you can do. Walk, keep up light daily "
            "tasks and do the exercises your therapist gave you, even if you move more "
            "slowly for a while.",
            "Change position often. Lying down all day usually makes the back stiffer and "
            "weaker. Short walks spread through the day work well.",
            SEE_A_DOCTOR,
        ],
    },
    {
        "slug": "lifting-at-home", "region": "back", "topic": "prevention",
        "title": "Lifting at home",
        "summary": "Your back is strong; give it a good position and a load it is used to.",
        "body": [
            "Your spine is built to bend and lift. Trouble usually comes from lifting more "
            "than you are used to, in a rush or while twisting.",
            "Stand close to the object with your feet apart. Bend your hips and knees, keep "
            "the load close to your body and lift smoothly. Turn with your feet rather than "
            "twisting your back.",
            "Split heavy loads: two lighter shopping bags, one in each hand, are easier than "
            "one heavy one. Ask for help with awkward items.",
            "Regular strength exercises make everyday lifting easier and safer over time.",
        ],
    },
    {
        "slug": "break-up-sitting", "region": "back", "topic": "posture",
        "title": "Break up long sitting",
        "summary": "Movement snacks through the day ease stiffness.",
        "body": [
            "Sitting is not bad in itself; sitting still for hours is what stiffens the back "
            "and hips.",
            "Set a reminder to stand every 30 minutes. Stand to take phone calls, walk to "
            "fill your water glass, or do a few gentle back bends and hip stretches.",
            "When watching television, get up during the advertisements or between "
            "episodes. Small, frequent breaks add up.",
        ],
    },
    {
        "slug": "painful-shoulder", "region": "shoulder", "topic": "pain",
        "title": "Caring for a painful shoulder",
        "summary": "Keep the shoulder moving within comfort while it recovers.",
        "body": [
            "Shoulder pain often comes from irritated tendons that are not yet used to the "
            "load we put on them. Rest alone rarely fixes it; gradual loading does.",
            "Keep daily tasks within a comfortable range. Bring things you use often down "
            "to a shelf between waist and shoulder height for now.",
            "Sleep with a pillow under the sore arm, or hug a pillow when lying on your good "
            "side. Avoid lying on the painful shoulder for long periods.",
            "Do your exercises slowly and steadily. Mild discomfort is acceptable; sharp "
            "pain that lingers is a sign to reduce the load and tell your therapist.",
        ],
    },
    {
        "slug": "stairs-with-a-sore-knee", "region": "knee", "topic": "activity",
        "title": "Stairs with a sore knee",
        "summary": "Up with the good leg, down with the sore one.",
        "body": [
            "While your knee recovers, an easy rule helps on stairs: going up, step first "
            "with the stronger leg; coming down, step first with the sore leg. The stronger "
            "leg does the hard work both ways.",
            "Use the handrail, take one step at a time, and keep your whole foot on each "
            "step.",
            "As your strength improves, your therapist will help you return to a normal "
            "step-over-step pattern.",
        ],
    },
    {
        "slug": "knee-osteoarthritis", "region": "knee", "topic": "pain",
        "title": "Knee osteoarthritis: movement helps",
        "summary": "Strong muscles and regular activity ease arthritis pain.",
        "body": [
            "Osteoarthritis is a common change in the joint, not simply wear and tear that "
            "gets worse with use. Exercise is one of the most effective treatments for it.",
            "Strong thigh and hip muscles take load off the knee. Low-impact activities such "
            "as walking, cycling and swimming keep the joint moving and nourished.",
            "Expect some discomfort while exercising. If pain is no worse the next morning, "
            "the amount was about right.",
            "Supportive, cushioned shoes help on hard ground, and losing a little weight, "
            "if you carry extra, noticeably reduces the load on your knees.",
        ],
    },
    {
        "slug": "after-hip-replacement", "region": "hip", "topic": "recovery",
        "title": "After a hip replacement: everyday tips",
        "summary": "Move little and often, and follow your surgeon's precautions.",
        "body": [
            "Your surgeon may have given you movement precautions for the first weeks. "
            "Follow them exactly; your therapist will tell you when they end.",
            "Use a firm, higher chair with armrests and push up from the arms to stand. A "
            "raised toilet seat and a long-handled reacher make daily tasks easier.",
            "Walk several times a day, a little further each day, with the aid you were "
            "given until your therapist says you can stop using it.",
            "Call your surgeon about increasing redness, swelling or wound discharge, fever, "
            "or calf pain and swelling.",
        ],
    },
    {
        "slug": "ankle-sprain", "region": "ankle", "topic": "recovery",
        "title": "Recovering from an ankle sprain",
        "summary": "Early movement and balance training prevent the next sprain.",
        "body": [
            "In the first days, protect the ankle, keep it raised when sitting and walk as "
            "much as pain allows. Gentle circles and up-and-down movements keep it moving.",
            "As walking gets easier, add balance work: stand on the injured leg while "
            "holding a counter, then with less support, then with your eyes closed.",
            "Balance training matters. Ankles that were sprained before are more likely to "
            "sprain again, and balance exercises lower that risk.",
            "Seek medical care if you could not take four steps right after the injury, or "
            "if the bone on either side of the ankle is tender to touch.",
        ],
    },
    {
        "slug": "preventing-falls", "region": "general", "topic": "prevention",
        "title": "Preventing falls at home",
        "summary": "Simple changes at home and regular balance practice.",
        "body": [
            "Falls are not an unavoidable part of getting older. Strength and balance "
            "exercises done regularly cut the risk markedly.",
            "Clear the floor of loose rugs, cables and clutter. Light the way at night from "
            "bed to bathroom, and put non-slip mats in the bath and shower.",
            "Wear shoes that fit well and have thin, firm soles. Stand up slowly after lying "
            "or sitting, especially at night.",
            "Have your eyesight checked yearly and ask your doctor to review your "
            "medications if any make you dizzy or drowsy.",
        ],
    },
    {
        "slug": "ice-or-heat", "region": "general", "topic": "pain",
        "title": "Ice or heat?",
        "summary": "Both can ease pain for a while; use what feels better.",
        "body": [
            "Neither ice nor heat heals tissue, but both can calm pain enough to help you "
            "move, which is what helps you recover.",
            "Ice (wrapped in a thin towel, 10 to 15 minutes) often feels good on a fresh, "
            "swollen injury. Heat (a warm pack or shower, 15 to 20 minutes) often eases "
            "stiffness and muscle tension.",
            "Never put ice or a heat pack straight on the skin, do not sleep on a heating "
            "pad, and skip both over areas where you have reduced feeling.",
        ],
    },
    {
        "slug": "warm-up", "region": "general", "topic": "prevention",
        "title": "Warm up before activity",
        "summary": "Five to ten minutes of easy movement prepares the body for more.",
        "body": [
            "A warm-up raises your heart rate and body temperature and gets joints moving "
            "through the range you are about to use.",
            "Start with a few minutes of easy walking, marching on the spot or cycling, then "
            "add movements that look like your activity: arm circles before swimming, leg "
            "swings and gentle squats before running or gardening.",
            "Build up gradually from easy to moderate effort. Long held stretches are better "
            "kept for after activity.",
        ],
    },
    {
        "slug": "hands-at-the-keyboard", "region": "hand", "topic": "posture",
        "title": "Hands and wrists at the keyboard",
        "summary": "Relaxed, straight wrists and regular breaks.",
        "body": [
            "Keep your wrists roughly straight while typing, with the hands floating over "
            "the keys rather than resting on a hard edge.",
            "Type with a light touch and hold the mouse loosely. Keep the mouse right next "
            "to the keyboard so you do not reach.",
            "Every half hour, open and close your hands, shake them loose and gently stretch "
            "the wrists. Tingling or numbness at night is worth mentioning to your therapist.",
        ],
    },
    {
        "slug": "home-exercise-habit", "region": "general", "topic": "activity",
        "title": "Making your home exercises a habit",
        "summary": "Tie exercises to something you already do every day.",
        "body": [
            "Home exercises work only when they are done, and regular short sessions beat "
            "occasional long ones.",
            "Link your exercises to a daily routine: after brushing your teeth, while the "
            "kettle boils, before your evening show. Keep any equipment where you will see it.",
            "Log your sessions in the TelePT app. Your therapist sees your progress between "
            "visits and can adjust the program if something is too easy or too hard.",
            "Missed a day? No problem; pick it up again the next day rather than doubling up.",
        ],
    },
]


def reading_minutes(paragraphs: list[str]) -> int:
    """Minutes at about 200 words a minute, at least one."""
    words = sum(len(p.split()) for p in paragraphs)
    return max(1, round(words / 200))


def articles_sync(article_model: Any) -> int:
    """Create or refresh the built-in articles (by slug); returns how many were written.
    Takes the model class so a migration can pass its historical model."""
    count = 0
    for entry in BUILTIN_ARTICLES:
        article_model.objects.update_or_create(slug=entry["slug"], defaults={
            "title": entry["title"], "summary": entry["summary"],
            "body": "\n\n".join(entry["body"]), "region": entry["region"],
            "topic": entry["topic"], "reading_minutes": reading_minutes(entry["body"]),
            "builtin": True, "active": True})
        count += 1
    return count
