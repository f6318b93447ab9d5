"""Correct answers in everyday spoken words, scored point by point (issue 7 item 3).

Written for this probe, for tuning-half questions only, without reading any graded answer: each
says every key point of its question the way a person might say it aloud, not in the bank's
words. The script prints each answer's score and the status of every key point, then the mean,
so a lexicon or matching change can be judged on wording the bank was never fitted to.

    .venv/bin/python bench/paraphrase_probes.py            # the mean and one line per answer
    .venv/bin/python bench/paraphrase_probes.py --points   # also each point's status

Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import sys

PROBES: dict[str, str] = {
    "python-gil": (
        "The GIL is a big lock in the CPython interpreter, so just one thread gets to run Python "
        "code at any moment. It is there because the interpreter counts references to every "
        "object and that bookkeeping would break if two threads changed it at once. So if you "
        "split heavy number crunching over several threads it won't go any faster, they just "
        "take turns. Threads that spend their time waiting on the network or the disk are fine, "
        "because a thread lets go of the lock while it waits. For real parallel work on the CPU "
        "you start separate processes with multiprocessing, or push the hot loop into C."
    ),
    "python-list-vs-tuple": (
        "You can change a list after you make it, add things, take things out, swap an item, "
        "but a tuple stays the way it was built. Because a tuple never changes its hash never "
        "changes either, so you can use one as a key in a dictionary or put it in a set, which "
        "you can't do with a list. Tuples also take a bit less memory and are a little quicker "
        "to create. I reach for a list when I have a bunch of similar things whose number "
        "changes, and a tuple for a fixed little record like a point with x and y."
    ),
    "dsa-stack-vs-queue": (
        "A stack hands back the last thing you put on it first, you push onto the top and pop "
        "off the top. A queue is the other way: the first thing in is the first thing out, you "
        "add at the back and take from the front. With a decent underlying structure, a linked "
        "list or a ring buffer, both of them add and remove in constant time. Stacks show up in "
        "function calls, undo history, matching brackets and depth first search. Queues show up "
        "in breadth first search, job scheduling and buffering between a producer and a consumer."
    ),
    "dsa-binary-search": (
        "The data has to be sorted and you need to be able to jump to any index, like an array. "
        "You look at the element in the middle, and if your target is smaller you throw away "
        "the right half, otherwise the left half, so the range gets cut in two every time. That "
        "makes it logarithmic, about twenty looks for a million items. The usual bugs are being "
        "off by one at the edges or looping forever because low and high never meet. And in "
        "languages with fixed size integers adding low and high can overflow, so you compute "
        "the middle as low plus half the distance between them."
    ),
    "go-goroutines-vs-threads": (
        "A goroutine is a function the Go runtime runs concurrently, you start one by writing go "
        "in front of a call. Each one begins with a tiny stack of a few kilobytes that grows as "
        "needed, so they are really cheap compared to an operating system thread with its "
        "megabyte stack. The runtime's scheduler spreads lots of goroutines over a handful of "
        "real threads. That's why you can have a hundred thousand of them in one program. They "
        "talk to each other over channels, and you wait for them with a WaitGroup or stop them "
        "with a context."
    ),
    "docker-multi-stage-builds": (
        "You write more than one FROM in the same Dockerfile, and each FROM begins a new stage. "
        "The first stage has the compiler and all the dev tools and builds your app, and then "
        "the last stage only copies over the finished binary. That last stage starts from a tiny "
        "base like distroless or alpine. So the image you ship is much smaller and has far less "
        "in it that an attacker could use. You can also build just one stage with the target "
        "flag, say a test stage in CI, and BuildKit builds independent stages at the same time."
    ),
    "sql-union-vs-union-all": (
        "UNION throws away rows that show up twice in the combined result, while UNION ALL just "
        "sticks the results together and leaves every row in. Getting rid of the doubles means "
        "the database has to sort or hash everything, so UNION ALL is cheaper and quicker. Both "
        "sides have to return the same number of columns, and the types have to line up. I use "
        "UNION ALL by default whenever the two sets can't overlap anyway."
    ),
    "sql-primary-foreign-keys": (
        "A primary key is the column that picks out each row on its own, so no two rows can "
        "share it and it can never be empty. It can come from the data itself, like an email "
        "address, or be a made up id number the database hands out. A foreign key is a column "
        "that points at the primary key of another table, and the database refuses values that "
        "don't exist there, so you can't end up with orphan rows. You can say what happens when "
        "the parent row is deleted, cascade the delete or set the column to null. And the "
        "foreign key column usually needs its own index, because many databases don't make one "
        "for you and joins get slow."
    ),
    "system-design-cdn": (
        "A CDN is a bunch of servers spread around the world that keep copies of your content "
        "near the people asking for it. If the nearby server has the file it sends it straight "
        "away, and if it doesn't it goes back to your own server to get it and keeps a copy. "
        "Because the data travels a shorter way pages load quicker, and your own servers see "
        "far fewer requests. It works best for static files like images, scripts and videos, "
        "and the headers you send decide how long they are kept. When you release a new version "
        "you either purge the old copies or put a version in the file name."
    ),
    "system-design-read-replicas": (
        "A read replica is a copy of the main database that keeps itself up to date and answers "
        "read queries, while all the writes still go to the main one. The copying usually "
        "happens in the background, so a replica can be a little behind. That means someone "
        "can save a change and then read old data that doesn't show it yet. To get around that "
        "you send a user's reads to the main database for a short while after they write. And "
        "replicas don't help at all if the problem is too many writes."
    ),
    "java-string-immutability": (
        "Once a Java String is made its characters never change; calls like toUpperCase or "
        "replace hand you back a brand new String. Since it can never change you can share it "
        "between threads without any locking. The JVM also keeps one shared copy of each "
        "literal in the string pool, which saves memory. The hash code gets worked out once "
        "and remembered, and nobody can change a file name or a URL after it has been checked. "
        "When you glue strings together inside a loop you should use a StringBuilder, because "
        "plus makes a new String every time round."
    ),
    "java-equals-hashcode": (
        "The rule is that two objects that equals says are the same have to give back the same "
        "hash code. A HashMap or HashSet first uses the hash code to pick the bucket and only "
        "then calls equals on what's in that bucket. If you change equals but leave hashCode "
        "alone, two equal objects land in different buckets, so get can't find your key and a "
        "set ends up holding the same thing twice. Build both from the same fields, ideally "
        "ones that never change. A record, or Objects.hash, writes a correct pair for you."
    ),
    "react-useeffect-cleanup": (
        "useEffect is for code that reaches outside React, like subscriptions, timers or "
        "fetching, and React runs it after the screen has been updated. The array you pass "
        "decides when it runs again: leave it out and it runs after every render, an empty "
        "array means only the first time, and otherwise it runs again when one of the values "
        "changes. The function you return is the cleanup, and React calls it before running the "
        "effect again and when the component goes away. That is where you clear timers, "
        "unsubscribe and cancel a fetch, so nothing leaks and old responses don't win a race. "
        "In development strict mode runs each effect twice on purpose, and a lot of effects "
        "aren't needed at all."
    ),
    "kubernetes-configmaps-and-secrets": (
        "Both of them keep settings out of the container image as keys and values, so the same "
        "image runs anywhere. The catch with a Secret is that the values are only base64, which "
        "anyone can decode, it is not encryption. So you turn on encryption at rest for etcd, "
        "limit who can read them with RBAC, or keep them in an outside vault. A pod can read "
        "either one as environment variables or as files mounted into a volume. The files get "
        "updated by themselves after a little while, but environment variables only change when "
        "the pod is restarted."
    ),
    "aws-lambda-cold-starts": (
        "When there's no warm environment ready, Lambda has to set up a fresh one, download your "
        "code, start the runtime and run everything outside your handler before it can serve "
        "the request. That happens on the very first call, after the function has sat idle for "
        "a while, when traffic jumps and it needs more copies, and after every deploy. To cut "
        "it down keep the package small and only load heavy things when you need them. Open "
        "database connections and clients outside the handler so later calls reuse them. And "
        "you can pay for provisioned concurrency, turn on SnapStart for Java, or give it more "
        "memory, which also gives it more CPU."
    ),
    "dsa-heap-top-k": (
        "I keep a small heap of k numbers where the smallest sits on top, so it holds the k "
        "biggest values I've seen so far. For each new number, if the heap isn't full I add it, "
        "and otherwise if the number is bigger than the top I throw the top out and put the new "
        "one in. Every step costs log k, so the whole thing is n log k time and k memory. That "
        "beats sorting everything, which is n log n and needs all the numbers at once, and it "
        "works on a stream that never ends. If everything fits in memory, quickselect can find "
        "the k-th value in linear time on average."
    ),
    "data-ml-precision-recall": (
        "Precision asks, of everything the model flagged as positive, how much really was: true "
        "positives over true positives plus false positives. Recall asks, of all the real "
        "positives, how many the model caught: true positives over true positives plus false "
        "negatives. If you move the cut-off for calling something positive you trade one for "
        "the other. Which one matters depends on what each mistake costs: for cancer screening "
        "missing a sick person is worse so you want recall, for a spam filter binning a real "
        "email is worse so you want precision. The F1 score and the precision recall curve sum "
        "it up, and they matter most when the classes are very unbalanced."
    ),
    "nodejs-non-blocking-io": (
        "Node runs your JavaScript on one thread but it never sits and waits for the network or "
        "the disk. libuv hands the waiting to the operating system, with epoll or kqueue, and "
        "to a small pool of threads for things like files. When something finishes, its "
        "callback is put in a queue and the event loop runs it. A connection that is just "
        "waiting costs very little memory, so Node is great when the work is mostly waiting. "
        "But heavy number crunching holds up the loop for everyone, so you move it to worker "
        "threads or another service."
    ),
    "docker-build-cache-layers": (
        "Every instruction that changes the files, like RUN or COPY, makes a layer that Docker "
        "keeps. On the next build it reuses a layer only if the instruction and its files are "
        "the same, and once one step changes every step after it gets rebuilt too. So you put "
        "the things that hardly ever change at the top and the things you edit all the time at "
        "the bottom. In practice you copy just package.json and the lock file, install, and "
        "only then copy the rest of the source. A dockerignore file keeps junk like "
        "node_modules out, and BuildKit cache mounts keep downloaded packages between builds."
    ),
    "go-slices-vs-arrays": (
        "An array in Go has its length baked into its type, so a three int array and a four "
        "int array are different types, and assigning one or passing it copies every element. "
        "A slice is just a little header: a pointer to an array underneath, a length and a "
        "capacity. If you pass a slice around, both copies look at the same underlying array, "
        "so writes through one show up in the other. When you append and there's still room "
        "it writes into that array, but once it's full Go makes a bigger array and copies "
        "everything over. That's why you always assign what append gives back."
    ),
    "system-design-consistent-hashing": (
        "If you spread keys by taking the hash mod the number of servers, adding or taking "
        "away one server moves almost every key to a different place. Consistent hashing puts "
        "both servers and keys on a circle, and each key belongs to the first server you meet "
        "going clockwise. When a server joins or leaves only the keys next to it move, "
        "roughly one over n of them. Each real server gets lots of virtual spots around the "
        "circle so the load comes out even. Copies of a key go on the next few servers along "
        "the circle; Cassandra and DynamoDB work this way."
    ),
    "python-context-managers": (
        "The with block makes sure the cleanup happens however you leave it, a normal finish, "
        "a return, or an error being thrown. Any object that has an __enter__ and an __exit__ "
        "method works: enter runs at the start and what it returns goes after the as, exit runs "
        "at the end. Exit is told about the error, and if it returns True the error is "
        "swallowed. The easy way to write your own is the contextmanager decorator from "
        "contextlib on a generator: set up, yield, and put the cleanup in a finally."
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", action="store_true", help="print each key point's status")
    parser.add_argument("--packs-at", help="score with the packs of this commit")
    args = parser.parse_args()

    from bench_scorer_folds import _questions

    from preppath.evaluation.rubric import RubricEvaluator, bank_idf, bank_topics

    questions = _questions(args.packs_at)
    evaluator = RubricEvaluator(bank_idf(questions), topics=bank_topics(questions))  # type: ignore[arg-type]
    by_id = {q.id: q for q in questions}  # type: ignore[attr-defined]
    scores = []
    for qid, text in PROBES.items():
        result = evaluator.evaluate(by_id[qid], text)  # type: ignore[arg-type]
        scores.append(result.overall)
        print(f"{result.overall:>4}  {qid}")
        if args.points:
            for kp in result.key_points:
                print(f"        {kp.status:<12} {kp.point}")
    print(f"mean {sum(scores) / len(scores):.1f} over {len(scores)} answers")


if __name__ == "__main__":
    sys.exit(main())
