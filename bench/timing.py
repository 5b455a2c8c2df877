"""What the benchmarks share: a median over runs, a page's time and its number of SQL queries."""
import statistics
import time

from database import counting_queries


def median_ms(run, runs):
    """The median time of `run()` over `runs` runs, in milliseconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def page_ms(client, url, runs):
    """The median time of GET `url` (which must answer 200), in milliseconds."""
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return median_ms(get, runs)


def count_queries(client, url):
    """The SQL queries GET `url` makes."""
    with counting_queries() as statements:
        client.get(url)
    return len(statements)
