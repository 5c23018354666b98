#!/usr/bin/env python3
"""Asks a RegenAtlas server three questions with the generated Python client.

1. Which iPSC-derived products are in the clinic or approved, by country?
   (CatalogService.ListProducts with a filter, every page)
2. What is the regulatory timeline of 艾米迈托赛注射液 (products/amimestrocel)?
   (RegulatoryTimelineService.GetProductTimeline)
3. How does its price compare with Ryoncil's, in CNY?
   (MarketAnalyticsService.ComparePrices)

Generate the client once, then run this against a server:

    scripts/gen-python-client.sh        # stubs into build/python
    /usr/bin/python3 examples/python/regenatlas_questions.py 127.0.0.1:50051

Needs Debian's python3-grpcio and python3-protobuf. On an error it prints
the gRPC status code and message and exits with 1.
"""

import argparse
import collections
import os
import sys
import textwrap
import unicodedata

import grpc

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Stages that mean "in the clinic or approved", least advanced first, with
# the words to print for them.
CLINICAL_STAGES = {
    "IIT": "investigator-initiated trial",
    "EARLY_PHASE_1": "early phase 1",
    "PHASE_1": "phase 1",
    "PHASE_1_2": "phase 1/2",
    "PHASE_2": "phase 2",
    "PHASE_2_3": "phase 2/3",
    "PHASE_3": "phase 3",
    "MARKETING_APPLICATION": "marketing application",
    "CONDITIONAL_APPROVAL": "conditional approval",
    "APPROVED": "approved",
}
STAGE_RANK = {stage: rank for rank, stage in enumerate(CLINICAL_STAGES)}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("address", nargs="?", default="127.0.0.1:50051",
                        help="host:port of the server (default %(default)s)")
    parser.add_argument("--stubs", default=os.environ.get(
        "REGENATLAS_PYTHON_STUBS", os.path.join(REPO, "build", "python")),
        help="directory made by scripts/gen-python-client.sh "
             "(default $REGENATLAS_PYTHON_STUBS or build/python)")
    parser.add_argument("--api-key", default=os.environ.get("REGENATLAS_API_KEY"),
                        help="sent as 'authorization: Bearer KEY' "
                             "(reads need none by default)")
    parser.add_argument("--page-size", type=int, default=10,
                        help="products per ListProducts page (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="deadline of each call in seconds (default %(default)s)")
    return parser.parse_args()


def load_stubs(directory):
    """Imports the generated modules from `directory`; exits with a hint
    when they are not there."""
    sys.path.insert(0, directory)
    try:
        from regenatlas.analytics.v1 import analytics_service_pb2 as analytics
        from regenatlas.analytics.v1 import analytics_service_pb2_grpc as analytics_grpc
        from regenatlas.catalog.v1 import catalog_service_pb2 as catalog
        from regenatlas.catalog.v1 import catalog_service_pb2_grpc as catalog_grpc
        from regenatlas.common.v1 import common_pb2 as common
        from regenatlas.timeline.v1 import resources_pb2 as timeline_resources
        from regenatlas.timeline.v1 import timeline_service_pb2 as timeline
        from regenatlas.timeline.v1 import timeline_service_pb2_grpc as timeline_grpc
    except ImportError as e:
        sys.exit("cannot import the generated client from %s (%s); "
                 "run scripts/gen-python-client.sh first" % (directory, e))
    return argparse.Namespace(
        analytics=analytics, analytics_grpc=analytics_grpc, catalog=catalog,
        catalog_grpc=catalog_grpc, common=common, timeline=timeline,
        timeline_grpc=timeline_grpc, timeline_resources=timeline_resources)


def enum_name(enum_type, value, prefix):
    """DEVELOPMENT_STAGE_PHASE_1 -> PHASE_1."""
    return enum_type.Name(value)[len(prefix):]


def date_text(date):
    """A PartialDate as 2025, 2025-01 or 2025-01-02."""
    text = "%04d" % date.year
    if date.month:
        text += "-%02d" % date.month
        if date.day:
            text += "-%02d" % date.day
    return text


def columns(text):
    """Terminal columns of `text` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text, width):
    """`text` padded with spaces to `width` columns."""
    return text + " " * max(0, width - columns(text))


def clip(text, width):
    """The first line of `text`, cut to `width` columns with an ellipsis."""
    line = text.split("\n", 1)[0]
    if columns(line) <= width:
        return line
    while columns(line) > width - 1:
        line = line[:-1]
    return line.rstrip() + "…"


def money_text(money):
    amount = money.units + money.nanos / 1e9
    return "{:,.0f} {}".format(amount, money.currency_code)


def ipsc_products_by_country(pb, channel, options):
    """Question 1: every page of ListProducts, then grouped by country and
    stage (a product's stage differs between countries)."""
    stub = pb.catalog_grpc.CatalogServiceStub(channel)
    request = pb.catalog.ListProductsRequest(
        filter="cell_source = HIPSC AND stage >= IIT", order_by="display_name",
        page_size=options.page_size)
    products = []
    while True:
        page = stub.ListProducts(request, **options.call)
        products.extend(page.products)
        if not page.next_page_token:
            break
        # The same request with the token asks for the next page.
        request.page_token = page.next_page_token

    # country -> stage -> display names (already in name order)
    by_country = collections.defaultdict(lambda: collections.defaultdict(list))
    for product in products:
        for entry in product.stage_by_country:
            stage = enum_name(pb.common.DevelopmentStage, entry.stage, "DEVELOPMENT_STAGE_")
            if stage in CLINICAL_STAGES:
                by_country[entry.country_code][stage].append(product.display_name)
    print("1. iPSC-derived products in the clinic or approved: %d" % len(products))
    for country in sorted(by_country):
        stages = by_country[country]
        print("   %s (%d)" % (country, sum(len(names) for names in stages.values())))
        for stage in sorted(stages, key=STAGE_RANK.get, reverse=True):
            label = "%-22s " % CLINICAL_STAGES[stage]
            print(textwrap.fill(", ".join(stages[stage]), width=100,
                                initial_indent="     " + label,
                                subsequent_indent=" " * (5 + len(label))))


def product_timeline(pb, channel, options, product):
    """Question 2: one product's milestones (dated, then undated) and trial starts."""
    catalog_stub = pb.catalog_grpc.CatalogServiceStub(channel)
    timeline_stub = pb.timeline_grpc.RegulatoryTimelineServiceStub(channel)
    record = catalog_stub.GetProduct(pb.catalog.GetProductRequest(name=product), **options.call)
    timeline = timeline_stub.GetProductTimeline(
        pb.timeline.GetProductTimelineRequest(product=product), **options.call)
    print("2. Regulatory timeline of %s (%s)" % (record.display_name, product))
    if timeline.catalog_error:
        print("   (trial starts missing: %s)" % timeline.catalog_error)
    for item in timeline.items:
        kind = enum_name(pb.timeline_resources.EventType, item.type, "EVENT_TYPE_")
        # "~" marks a date the sources only imply; undated items come last.
        if item.date_unknown:
            date = "undated"
        else:
            date = ("~" if item.date_inferred else "") + date_text(item.date)
        print("   %-11s %-5s %-25s %s" % (date, item.jurisdiction or "-",
                                         kind.replace("_", " ").lower(),
                                         clip(item.description, 54)))


def compare_prices(pb, channel, options, products, currency):
    """Question 3: prices per dose and per course, converted, with ratios."""
    stub = pb.analytics_grpc.MarketAnalyticsServiceStub(channel)
    comparison = stub.ComparePrices(pb.analytics.ComparePricesRequest(
        products=products, currency_code=currency), **options.call)
    print("3. Prices in %s" % currency)
    names = {}
    for price in comparison.prices:
        names[price.product] = price.display_name
        per_dose = (money_text(price.price_per_dose)
                    if price.HasField("price_per_dose") else "unknown")
        per_course = (money_text(price.price_per_course)
                      if price.HasField("price_per_course") else "unknown")
        print("   %s per dose %-18s per course %s" % (pad(price.display_name, 20), per_dose,
                                                     per_course))
    for ratio in comparison.ratios:
        if ratio.HasField("per_dose") and ratio.per_dose >= 1:
            print("   %s costs %.1f times as much as %s per dose" % (
                names[ratio.numerator_product], ratio.per_dose,
                names[ratio.denominator_product]))


def main():
    args = parse_args()
    pb = load_stubs(args.stubs)
    metadata = [("authorization", "Bearer " + args.api_key)] if args.api_key else []
    args.call = {"timeout": args.timeout, "metadata": metadata}
    with grpc.insecure_channel(args.address) as channel:
        try:
            ipsc_products_by_country(pb, channel, args)
            print()
            product_timeline(pb, channel, args, "products/amimestrocel")
            print()
            compare_prices(pb, channel, args,
                           ["products/remestemcel-l", "products/amimestrocel"], "CNY")
        except grpc.RpcError as e:
            print("error: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
