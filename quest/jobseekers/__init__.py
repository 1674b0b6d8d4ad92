"""Players turned jobseekers: conversion, the collection notice, the handoff outbox, privacy."""
