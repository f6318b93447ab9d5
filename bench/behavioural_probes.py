"""Strong stories told in plain words, written for the fold bench (not graded answers): each
answers its tuning-half question without the competency's textbook words, as many people do."""

PLAIN_STORIES = {
    "behavioral-prioritisation-tech-debt": (
        "Last year our checkout code had grown so tangled that every small change took a week, "
        "while sales kept asking for new payment options. I led that team, so the order of work "
        "was my call. I looked at which parts of the old code we touched most and what each "
        "request was worth, and kept one day in five for cleaning up only those parts, next to "
        "the features that paid. I showed sales the plan with dates so they could see what came "
        "when. Within two quarters a new payment option took three days instead of three weeks, "
        "and we shipped four of them. I learned to clean up where the work actually happens."
    ),
    "behavioral-communication-bad-news": (
        "In my first year as a team lead at an insurer, our new claims portal was meant to open "
        "on the first of June, and in early May I could see it would not be ready. Telling the "
        "business was my job. I did not wait for the monthly review: the same day I went to the "
        "head of claims and the project sponsor, showed them the two pieces still open, and gave "
        "them a new date in July with how sure I was of it. I offered to open the portal to one "
        "region in June so they had something real. They took that, the region went live on "
        "time, and the full portal opened on the new date. The sponsor later said she "
        "preferred hearing it early."
    ),
    "behavioral-teamwork-difficult-member": (
        "On a five-person team at a travel startup, one developer kept picking the easy tickets "
        "and leaving the hard ones for the rest of us, and before a big release we were staying "
        "late to cover. I sat down with him one afternoon, away from the others, and told him "
        "plainly what I had seen in the last two sprints and how it was landing on the team. He "
        "said he was stuck on the booking engine and did not want to admit it. I paired with "
        "him for a week on it and we agreed he would take one hard ticket each sprint. By the "
        "next release he was handling booking tickets on his own, and nobody stayed late."
    ),
    "behavioral-ownership-beyond-role": (
        "When I worked on the mobile app at a grocery chain, I kept seeing shoppers in the app "
        "reviews say their loyalty points vanished. It was not my area at all, it belonged to "
        "the payments team, who were busy. I spent two evenings reading their code, found that "
        "points were lost when a payment was retried, and wrote it up for them with a fix. "
        "They shipped it that week. Complaints about missing points dropped to almost none, and "
        "the reviews recovered within a month."
    ),
    "behavioral-leadership-missed-commitment": (
        "Two years ago my team promised our director a new reporting feature by the end of the "
        "quarter, and three weeks out I knew we would not make it. As the lead I went to her "
        "myself before anyone asked, explained that we had underestimated the data clean-up, "
        "and gave her two options: a smaller version on the date, or the full one a month later. "
        "She took the smaller one. We shipped it on the day, the rest followed in four weeks, "
        "and I changed how we estimate, adding a spike for any work on old data."
    ),
}
