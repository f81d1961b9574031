"""A Spark Connect server on 127.0.0.1 for the tests: ``python tests/spark_connect_server.py PORT``.

A local JVM with Spark's Connect plugin (its jar ships with pyspark) listening on PORT; it prints "ready" once
it accepts clients and serves until it is stopped.
"""
from __future__ import annotations

import sys
import time

from pyspark.sql import SparkSession

if __name__ == "__main__":
    (SparkSession.builder.master("local[2]").appName("sla-connect-test")
     .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
     .config("spark.connect.grpc.binding.address", "127.0.0.1")
     .config("spark.connect.grpc.binding.port", sys.argv[1])
     .config("spark.ui.enabled", "false").config("spark.driver.memory", "1g")
     .getOrCreate().sparkContext.setLogLevel("ERROR"))
    print("ready", flush=True)
    while True:
        time.sleep(3600)
